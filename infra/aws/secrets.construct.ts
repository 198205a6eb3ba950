import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

export interface SecretsProps {
  /** Single sign-on is configured: a secret for the identity provider's client secret is made too. */
  sso?: boolean;
}

/**
 * Secrets generated inside Secrets Manager, so no secret value ever appears in the template or
 * in the cloud assembly. Functions receive only the ARNs and read the values at cold start.
 */
export class Secrets extends Construct {
  /** Bearer token that guards the admin API (`/api/*`). */
  readonly adminToken: Secret;
  /** HMAC key that signs unsubscribe links. */
  readonly linkSigningKey: Secret;
  /** KMS key that seals webhook signing secrets stored in the table (sources, endpoints). */
  readonly sealingKey: Key;
  /**
   * The OpenID Connect client secret the identity provider issued, when single sign-on is
   * configured. Created holding a random placeholder: the operator puts the provider's value in
   * (`aws secretsmanager put-secret-value`), so it never passes through the template either.
   */
  readonly oidcClientSecret?: Secret;

  constructor(scope: Construct, id: string, props: SecretsProps = {}) {
    super(scope, id);
    this.adminToken = new Secret(this, 'AdminToken', {
      description: 'Tend admin API bearer token',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.linkSigningKey = new Secret(this, 'LinkSigningKey', {
      description: 'Tend unsubscribe-link signing key',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.sealingKey = new Key(this, 'SealingKey', {
      description: 'Tend: seals webhook signing secrets kept in the table',
      enableKeyRotation: true,
    });
    acknowledge(
      this.adminToken,
      'AwsSolutions-SMG4',
      'Admin token is rotated by the operator (put-secret-value); a rotation Lambda would add cost for a single static token',
    );
    if (props.sso) {
      this.oidcClientSecret = new Secret(this, 'OidcClientSecret', {
        description:
          'Tend dashboard single sign-on: the OpenID Connect client secret (put the identity provider value here)',
        generateSecretString: { passwordLength: 32, excludePunctuation: true },
      });
      acknowledge(
        this.oidcClientSecret,
        'AwsSolutions-SMG4',
        'The identity provider issues and rotates this client secret; the operator puts each new value here',
      );
    }
    acknowledge(
      this.linkSigningKey,
      'AwsSolutions-SMG4',
      'Rotating the link-signing key would invalidate unsubscribe links already delivered, which the law requires to keep working',
    );
  }
}
