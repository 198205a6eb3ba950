import { existsSync, readFileSync } from 'node:fs';
/** The CLI's HTTP client: one place that knows the API base URL, the token and how errors print. */
export interface ApiClient {
  base: string;
  call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

type ErrorDetail = { locale?: string; line?: number; path?: string; nodeId?: string; message?: string };

export function createApiClient(base: string, token: string): ApiClient {
  return {
    base,
    async call(method, path, body) {
      const res = await fetch(new URL(path, base), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).catch((error: unknown) => {
        console.error(`tend: cannot reach ${base} (${String(error)}); is \`npm start\` running, or is --api right?`);
        process.exit(1);
      });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok) {
        const error = json.error as { message?: string; details?: ErrorDetail[] } | undefined;
        console.error(`tend: ${res.status} ${error?.message ?? res.statusText}`);
        for (const d of Array.isArray(error?.details) ? error.details : []) {
          const where = `${d.locale ? `[${d.locale}] ` : ''}${d.line ? `line ${d.line}: ` : ''}${d.path?.startsWith('$') ? `${d.path}: ` : ''}`;
          console.error(`  - ${where}${d.message ?? JSON.stringify(d)}`);
        }
        process.exit(1);
      }
      return json;
    },
  };
}

/** Prints a usage problem and exits 2 (wrong usage), as every command does. */
export function usageError(help: string, message?: string): never {
  if (message) console.error(`tend: ${message}\n`);
  console.error(help);
  process.exit(2);
}

/** Reads a JSON file, or stops with a usage error saying what is wrong with it. */
export function readJson(file: string, usage: (message: string) => never): unknown {
  if (!existsSync(file)) usage(`no file ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return usage(`${file} is not JSON: ${(error as Error).message}`);
  }
}
