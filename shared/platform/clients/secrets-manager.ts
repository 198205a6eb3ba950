import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from '../config.ts';
import { tracer } from '../observability.ts';
import { clientOptions } from './options.ts';
import { withoutSdkLogger } from './sdk-logger.ts';

/** The Secrets Manager client, traced; one per process. */
export const secrets = tracer.captureAWSv3Client(
  withoutSdkLogger(new SecretsManagerClient(clientOptions(config.TEND_SECRETS_ENDPOINT))),
);

/** A secret's string value (the one read the app makes). */
export const readSecret = async (arn: string): Promise<string | undefined> =>
  (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
