import { createDynamoSessions } from '#people/dynamo-sessions.ts';
import { sessionStoreContract } from '#people/sessions.contract.ts';
import { db, scratchTable } from '../support/local.ts';

/**
 * The dashboard's session store on DynamoDB Local (the contract its memory adapter meets in
 * shared/people/sessions.test.ts): sessions that cannot be replaced, and sign-in attempts
 * counted atomically under parallel posts. A table of its own, with the app's keys.
 */
const tableName = scratchTable('dashboard-sessions');

sessionStoreContract('DynamoDB Local', () => createDynamoSessions(db, tableName));
