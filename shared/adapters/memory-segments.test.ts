import { createMemoryStore } from './memory-store.ts';
import { segmentStoreContract } from './segment-store.contract.ts';

segmentStoreContract('memory', () => createMemoryStore().store);
