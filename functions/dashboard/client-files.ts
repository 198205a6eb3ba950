import { readFile } from 'node:fs/promises';
import type { ClientFile, ClientManifest } from '#infra/dashboard-client.ts';

/** The dashboard's browser client as the function serves it: its entry, its stylesheets, its files by name. */
export interface DashboardClient {
  /** The entry module, `main-<hash>.js`, which the page shell loads from /dashboard/assets/. */
  entry: string;
  /** Stylesheets the client's modules bring, linked from the page shell. */
  styles: readonly string[];
  /** A file named as served under /dashboard/assets/, or undefined when the client has none such. */
  file(name: string): Promise<ClientFile | undefined>;
}

// Written beside the handler by the function's build (infra/dashboard-client.ts: CLIENT_MANIFEST, CLIENT_DIR).
const MANIFEST = new URL('./dashboard-client.json', import.meta.url);
const DIR = new URL('./dashboard-client/', import.meta.url);

let loaded: Promise<DashboardClient> | undefined;

async function fromDisk(): Promise<DashboardClient> {
  const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as ClientManifest;
  const read = new Map<string, Promise<ClientFile>>();
  return {
    entry: manifest.entry,
    styles: manifest.styles,
    file(name) {
      const contentType = Object.hasOwn(manifest.files, name) ? manifest.files[name] : undefined;
      if (contentType === undefined) return Promise.resolve(undefined);
      let file = read.get(name);
      if (!file) {
        file = readFile(new URL(name, DIR)).then((contents) => ({ contents, contentType }));
        read.set(name, file);
      }
      return file;
    },
  };
}

/**
 * The dashboard's browser client in the function's Lambda bundle, where it takes the place of
 * ./client.ts: the files its build wrote beside the handler, read when a page or a file is first
 * asked for (never at cold start) and kept while the function is warm.
 */
export function loadClient(): Promise<DashboardClient> {
  loaded ??= fromDisk().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}
