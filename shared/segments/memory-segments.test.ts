import { createMemoryStore } from '#platform/memory-store.ts';
import { segmentStoreContract } from './store.contract.ts';

segmentStoreContract('memory', () => createMemoryStore().store);
