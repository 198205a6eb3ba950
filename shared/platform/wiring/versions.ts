import { createVersionCache } from '#journeys/context.ts';
import { store } from './store.ts';

/** Published versions are immutable: one cache per warm function. */
export const versions = createVersionCache(store);
