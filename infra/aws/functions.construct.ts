import path from 'node:path';
import { AssetHashType, AssetStaging, Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { assertUnreachable } from '#core/assert.ts';
import { AUDIT_PK } from '#people/dynamo-people.ts';
import { bundleCommand, bundleSync, lambdaBundleFile, lambdaNodeOptions } from '../bundling.ts';
import type { FunctionSpec, Grant } from '../function-spec.ts';
import type { FunctionName, table as tableSpec } from '../manifest.ts';
import type { Email } from './email.construct.ts';
import type { Journeys } from './journeys.construct.ts';
import { acknowledge } from './nag.ts';
import { pascalCase } from './names.ts';
import type { Secrets } from './secrets.construct.ts';
import type { OidcSettings } from './settings.ts';

/**
 * Code bundled at synth on this machine (no Docker) by infra/bundling.ts, with the settings
 * `npm run bench:functions` measures, and hashed by its output as NodejsFunction does: one
 * function's (`entry`), or with no entry the AWS SDK layer's.
 */
function bundledCode(projectRoot: string, entry?: string): Code {
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: Runtime.NODEJS_22_X.bundlingImage,
      // What the local hook runs. It is never run in Docker, but it keys CDK's bundling cache per
      // asset: the hook itself is not part of that key, and without this every function would
      // get the first one's bundle.
      command: bundleCommand(entry, AssetStaging.BUNDLING_OUTPUT_DIR),
      local: {
        tryBundle(outputDir) {
          bundleSync(projectRoot, entry, outputDir);
          return true;
        },
      },
    },
  });
}

export interface FunctionsProps {
  /** The app's functions, from `manifest.functions`. */
  specs: Readonly<Record<FunctionName, FunctionSpec>>;
  /** Absolute repository root: manifest entries are relative to it, and it holds package-lock.json. */
  projectRoot: string;
  table: ITable;
  /** Name of the environment variable that carries the table name (`manifest.table.nameEnv`). */
  tableNameEnv: (typeof tableSpec)['nameEnv'];
  secrets: Secrets;
  email: Email;
  /** `From` header of journey email. */
  fromEmail: string;
  /** Postal address for marketing email footers. */
  postalAddress: string;
  /** Reply-To of every email, when set. */
  replyTo?: string;
  /** Default time zone for quiet hours. */
  timeZone: string;
  /** How long function logs are kept. */
  logRetention?: RetentionDays;
  /** Days raw inbox records are kept (the config's default when unset). */
  inboxRetentionDays?: number;
  /** Days timeline events are kept; unset: for good. */
  timelineRetentionDays?: number;
}

/**
 * One Lambda function per manifest function (nodejs22.x, arm64, esbuild ESM, X-Ray), each with
 * its own role and log group, and IAM derived from the manifest grants and nothing else.
 */
export class Functions extends Construct {
  readonly byName: Record<FunctionName, LambdaFunction>;
  /** The AWS SDK clients the app uses, tree-shaken, shared by every function (infra/sdk-layer.ts). */
  readonly sdkLayer: LayerVersion;
  private readonly specs: Readonly<Record<FunctionName, FunctionSpec>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.specs = props.specs;
    this.sdkLayer = new LayerVersion(this, 'AwsSdk', {
      code: bundledCode(props.projectRoot),
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      compatibleArchitectures: [Architecture.ARM_64],
      description: 'Tend: the AWS SDK v3 clients its functions use, tree-shaken and minified',
    });
    const entries = Object.entries(props.specs) as [FunctionName, FunctionSpec][];
    this.byName = Object.fromEntries(
      entries.map(([name, spec]) => [name, this.createFunction(name, spec, props)]),
    ) as Record<FunctionName, LambdaFunction>;
  }

  /** Tells every function the public base URL of the HTTP API (unsubscribe links). */
  setPublicUrl(url: string): void {
    for (const fn of Object.values(this.byName)) fn.addEnvironment('TEND_PUBLIC_URL', url);
  }

  /**
   * Turns on single sign-on in the function that serves the dashboard: the provider's settings,
   * and reading the client secret (only that function may).
   */
  enableSso(name: FunctionName, oidc: OidcSettings, clientSecret: ISecret): void {
    const fn = this.byName[name];
    clientSecret.grantRead(fn);
    fn.addEnvironment('TEND_OIDC_ISSUER', oidc.issuer);
    fn.addEnvironment('TEND_OIDC_CLIENT_ID', oidc.clientId);
    fn.addEnvironment('TEND_OIDC_CLIENT_SECRET_ARN', clientSecret.secretArn);
    if (oidc.name) fn.addEnvironment('TEND_OIDC_NAME', oidc.name);
  }

  /**
   * Applies the `journeys:run`, `journeys:publish` and `journeys:read` grants. Deferred because the journey
   * execution role may invoke the journey functions, so they must exist first.
   */
  allowJourneys(journeys: Journeys): void {
    for (const [name, fn] of Object.entries(this.byName) as [FunctionName, LambdaFunction][]) {
      const grants = this.specs[name].grants;
      if (grants.includes('journeys:run')) journeys.grantRun(fn);
      if (grants.includes('journeys:publish')) journeys.grantPublish(fn);
      if (grants.includes('journeys:read')) journeys.grantRead(fn);
    }
  }

  private createFunction(name: FunctionName, spec: FunctionSpec, props: FunctionsProps): LambdaFunction {
    const scope = new Construct(this, pascalCase(name));
    const logGroup = new LogGroup(scope, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
    // Own role without AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new Role(scope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Tend ${name} function`,
    });
    logGroup.grantWrite(role);

    const fn = new LambdaFunction(scope, 'Function', {
      code: bundledCode(props.projectRoot, spec.entry),
      layers: [this.sdkLayer],
      handler: `${path.parse(lambdaBundleFile).name}.handler`,
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        [props.tableNameEnv]: props.table.tableName,
        TEND_FROM_EMAIL: props.fromEmail,
        TEND_POSTAL_ADDRESS: props.postalAddress,
        TEND_DEFAULT_TIME_ZONE: props.timeZone,
        ...(props.replyTo ? { TEND_REPLY_TO: props.replyTo } : {}),
        ...(props.inboxRetentionDays !== undefined
          ? { TEND_INBOX_RETENTION_DAYS: String(props.inboxRetentionDays) }
          : {}),
        ...(props.timelineRetentionDays !== undefined
          ? { TEND_TIMELINE_RETENTION_DAYS: String(props.timelineRetentionDays) }
          : {}),
        POWERTOOLS_SERVICE_NAME: 'tend',
        NODE_OPTIONS: lambdaNodeOptions,
      },
    });

    for (const grant of spec.grants) this.applyGrant(grant, fn, props);
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Only actions without resource-level permissions: X-Ray, dynamodb:ListStreams, and for journey grants states:ListStateMachines/SendTask* and logs:CreateLogDelivery',
    );
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'nodejs22.x is the runtime the design pins and the toolchain is verified on; moving to 24.x is a deliberate, tested upgrade',
    );
    return fn;
  }

  private applyGrant(grant: Grant, fn: LambdaFunction, props: FunctionsProps): void {
    switch (grant) {
      case 'table:read':
        props.table.grantReadData(fn);
        return;
      case 'table:write':
        props.table.grantWriteData(fn);
        // The audit log is append-only: no function may change or delete an entry (new ones are
        // written with a condition that they do not exist yet).
        fn.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.DENY,
            actions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
            resources: [props.table.tableArn],
            conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [AUDIT_PK] } },
          }),
        );
        return;
      case 'audit:append':
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:PutItem'],
            resources: [props.table.tableArn],
            conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [AUDIT_PK] } },
          }),
        );
        return;
      case 'journeys:run':
      case 'journeys:publish':
      case 'journeys:read':
        // The journey role is allowed to invoke some of these functions, so it comes later: see allowJourneys.
        return;
      case 'ses:send':
        props.email.grantSend(fn);
        fn.addEnvironment('TEND_SES_CONFIGURATION_SET', props.email.configurationSet.configurationSetName);
        return;
      case 'secret:admin-token':
        props.secrets.adminToken.grantRead(fn);
        fn.addEnvironment('TEND_ADMIN_TOKEN_SECRET_ARN', props.secrets.adminToken.secretArn);
        return;
      case 'secret:link-signing':
        props.secrets.linkSigningKey.grantRead(fn);
        fn.addEnvironment('TEND_LINK_SECRET_ARN', props.secrets.linkSigningKey.secretArn);
        return;
      case 'kms:seal':
      case 'kms:open':
        // Exact actions (no GenerateDataKey*/ReEncrypt* wildcards): Tend calls Encrypt and Decrypt only.
        props.secrets.sealingKey.grant(
          fn,
          ...(grant === 'kms:seal' ? ['kms:Encrypt', 'kms:Decrypt'] : ['kms:Decrypt']),
        );
        fn.addEnvironment('TEND_KMS_KEY_ID', props.secrets.sealingKey.keyArn);
        return;
      default:
        assertUnreachable(grant);
    }
  }
}
