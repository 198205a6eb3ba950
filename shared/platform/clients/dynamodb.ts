import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { scopePointReads } from '../dynamo-table.ts';
import { currentInvocation } from '../invocation.ts';
import { tracer } from '../observability.ts';
import { clientOptions } from './options.ts';
import { withoutSdkLogger } from './sdk-logger.ts';

/** The DynamoDB client, traced; one per process, so every adapter shares its connections. */
export const dynamoClient = tracer.captureAWSv3Client(
  withoutSdkLogger(new DynamoDBClient(clientOptions(config.TEND_DYNAMODB_ENDPOINT))),
);

/** The document client the adapters use; it shares the traced client's middleware stack. */
export const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});

// Reads are sent together only within one invocation (see invocation.ts).
scopePointReads(dynamo, currentInvocation);
