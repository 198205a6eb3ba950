import { createDynamoSessions } from '#people/dynamo-sessions.ts';
import { dynamo } from '../clients/dynamodb.ts';
import { config } from '../config.ts';

/** The dashboard's sessions and sign-in attempts, on the table. */
export const sessions = createDynamoSessions(dynamo, config.TEND_TABLE_NAME);
