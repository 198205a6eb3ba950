import { journeyStoreContract } from './journey-stores.contract.ts';
import { createMemoryStore } from './memory-store.ts';

// A fresh store per test, paged two contacts at a time so scanContacts has to follow its cursor.
journeyStoreContract('memory', () => createMemoryStore().store, { scanPageSize: 2 });
