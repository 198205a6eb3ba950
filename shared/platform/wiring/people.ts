import { createDynamoPeople } from '#people/dynamo-people.ts';
import { dynamo } from '../clients/dynamodb.ts';
import { config } from '../config.ts';

/** Users, their tokens and the audit log, on the table. */
export const people = createDynamoPeople(dynamo, config.TEND_TABLE_NAME);
