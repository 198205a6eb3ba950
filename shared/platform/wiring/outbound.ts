import { createDynamoOutboundStore } from '#messaging/dynamo-outbound.ts';
import { createOutboundWebhooks } from '#messaging/outbound-webhooks.ts';
import { dynamo } from '../clients/dynamodb.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { secretBox } from './secret-box.ts';

/** Outbound webhooks: endpoints, deliveries signed with their stored secrets, retries. */
export const outbound = createOutboundWebhooks({
  store: createDynamoOutboundStore(dynamo, config.TEND_TABLE_NAME),
  secretBox,
  clock,
  allowInsecure: config.TEND_ALLOW_INSECURE_WEBHOOKS,
  retryDelayScale: 1 / config.TEND_TIME_SCALE,
});
