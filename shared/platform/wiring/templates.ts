import { createTemplateCatalog } from '#messaging/built-in-catalog.ts';
import { store } from './store.ts';

/** Saved templates over the shipped ones, both precompiled: sending never compiles MJML. */
export const templates = createTemplateCatalog(store);
