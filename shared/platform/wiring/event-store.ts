import { cacheCatalog } from '#journeys/catalog-cache.ts';
import { dynamo } from '../clients/dynamodb.ts';
import { config } from '../config.ts';
import { readCatalogVersion } from '../dynamo-table.ts';
import { currentInvocation, onInvocation } from '../invocation.ts';
import { store } from './store.ts';

/**
 * The store as the event path sees it: live journeys and segment rules kept in the warm function
 * behind the catalog version, checked again as each invocation starts.
 */
export const eventStore = cacheCatalog(
  store,
  () => readCatalogVersion(dynamo, config.TEND_TABLE_NAME),
  currentInvocation,
);
onInvocation(eventStore.beginInvocation);
