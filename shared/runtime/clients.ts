import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from './config.ts';

/**
 * Every AWS SDK client the app uses, created once at module scope. Endpoints come from
 * configuration: set locally, unset on AWS. Nothing else in the app knows where it runs.
 */
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const options = (endpoint: string | undefined) =>
  endpoint ? { region: config.AWS_REGION, endpoint, credentials: localCredentials } : { region: config.AWS_REGION };

export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(options(config.TEND_DYNAMODB_ENDPOINT)), {
  marshallOptions: { removeUndefinedValues: true },
});
export const ses = new SESv2Client(options(config.TEND_SES_ENDPOINT));
export const sfn = new SFNClient(options(config.TEND_SFN_ENDPOINT));
export const secrets = new SecretsManagerClient(options(config.TEND_SECRETS_ENDPOINT));
export const kms = new KMSClient(options(config.TEND_KMS_ENDPOINT));
