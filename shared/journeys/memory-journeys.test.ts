import { createMemoryStore } from '#platform/memory-store.ts';
import { journeyStoreContract } from './stores.contract.ts';

// A fresh store per test, paged two contacts at a time so scanContacts has to follow its cursor.
journeyStoreContract('memory', () => createMemoryStore().store, { scanPageSize: 2 });
