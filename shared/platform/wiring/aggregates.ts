import { createDynamoAggregates } from '#reports/dynamo-aggregates.ts';
import { dynamo } from '../clients/dynamodb.ts';
import { config } from '../config.ts';

/** The dashboard's counters and per-contact KPI states. */
export const aggregates = createDynamoAggregates(dynamo, config.TEND_TABLE_NAME);
