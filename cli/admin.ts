import type { ApiClient } from './http.ts';

type Row = Record<string, unknown>;
const show = (value: unknown) => (value === undefined || value === null ? '-' : String(value));

export interface AdminOptions {
  name?: string;
  kind?: string;
  secret?: string;
  settings?: string;
  scopes?: string;
  url?: string;
  events?: string;
  overlapHours?: string;
  json: boolean;
}

const printSecret = (what: string, secret: unknown) => {
  if (typeof secret !== 'string') return;
  console.log(`\n${what} (shown once; store it now):\n  ${secret}`);
};

/** `tend sources list|create|show|rotate|disable|enable`. */
export async function sourcesCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  o: AdminOptions,
  usage: (message: string) => never,
) {
  const id = () => encodeURIComponent(args[0] ?? usage(`sources ${command} needs a source id`));
  const describe = (s: Row) => {
    const stats = (s.stats ?? {}) as Row;
    console.log(
      `${show(s.sourceId).padEnd(20)} ${show(s.kind).padEnd(18)} ${show(s.status).padEnd(8)} accepted ${show(stats.accepted ?? 0)}, replayed ${show(stats.duplicate ?? 0)}, ignored ${show(stats.ignored ?? 0)}  ${show(s.url)}`,
    );
  };
  switch (command) {
    case 'list': {
      const { sources } = (await api.call('GET', '/api/sources')) as { sources: Row[] };
      if (o.json) return console.log(JSON.stringify(sources, null, 2));
      if (sources.length === 0) console.log('no sources yet: tend sources create <id> --kind shopify --secret ...');
      for (const s of sources) describe(s);
      return;
    }
    case 'create': {
      const sourceId = args[0] ?? usage('sources create needs a source id');
      if (!o.kind) usage('sources create needs --kind standard-webhooks|shopify|stripe|woocommerce|typeform');
      const out = await api.call('POST', '/api/sources', {
        sourceId,
        name: o.name ?? sourceId,
        kind: o.kind,
        ...(o.secret ? { secret: o.secret } : {}),
        ...(o.settings ? { settings: JSON.parse(o.settings) } : {}),
      });
      const source = out.source as Row;
      console.log(`created ${source.sourceId} (${source.kind}); point the provider at ${source.url}`);
      printSecret('Signing secret', out.secret);
      return;
    }
    case 'show': {
      const { source } = (await api.call('GET', `/api/sources/${id()}`)) as { source: Row };
      console.log(JSON.stringify(source, null, 2));
      return;
    }
    case 'rotate': {
      const out = await api.call('POST', `/api/sources/${id()}/rotate`, {
        ...(o.secret ? { secret: o.secret } : {}),
        ...(o.overlapHours ? { overlapHours: Number(o.overlapHours) } : {}),
      });
      const secrets = (out.source as Row).secrets as Row[];
      const previous = secrets.find((s) => s.expiresAt);
      console.log(
        `rotated ${args[0]}; ${previous ? `the previous secret keeps working until ${previous.expiresAt}` : 'no previous secret kept'}`,
      );
      printSecret('New signing secret', out.secret);
      return;
    }
    case 'disable':
    case 'enable': {
      const { source } = (await api.call('POST', `/api/sources/${id()}/${command}`)) as { source: Row };
      console.log(`${source.sourceId} is ${source.status}`);
      return;
    }
    default:
      usage(command ? `unknown sources command "${command}"` : 'sources needs a command');
  }
}

/** `tend keys list|create|revoke`. */
export async function keysCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  o: AdminOptions,
  usage: (message: string) => never,
) {
  switch (command) {
    case 'list': {
      const { keys } = (await api.call('GET', '/api/keys')) as { keys: Row[] };
      for (const k of keys) {
        console.log(
          `${show(k.keyId)}  ${show(k.name).padEnd(20)} ${(k.scopes as string[]).join(',').padEnd(30)} ${k.revokedAt ? `revoked ${k.revokedAt}` : `last used ${show(k.lastUsedAt)}`}`,
        );
      }
      return;
    }
    case 'create': {
      const name = args[0] ?? o.name ?? usage('keys create needs a name');
      const out = await api.call('POST', '/api/keys', {
        name,
        ...(o.scopes ? { scopes: o.scopes.split(',').map((s) => s.trim()) } : {}),
      });
      const key = out.key as Row;
      console.log(`created key ${key.keyId} (${(key.scopes as string[]).join(', ')})`);
      printSecret('API key', out.token);
      return;
    }
    case 'revoke': {
      const keyId = args[0] ?? usage('keys revoke needs a key id');
      await api.call('POST', `/api/keys/${encodeURIComponent(keyId)}/revoke`);
      console.log(`revoked ${keyId}`);
      return;
    }
    default:
      usage(command ? `unknown keys command "${command}"` : 'keys needs a command');
  }
}

/** `tend conflicts list|dismiss`. */
export async function conflictsCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  o: AdminOptions,
  usage: (message: string) => never,
) {
  switch (command) {
    case 'list': {
      const { conflicts } = (await api.call('GET', '/api/identity/conflicts')) as { conflicts: Row[] };
      if (o.json) return console.log(JSON.stringify(conflicts, null, 2));
      const open = conflicts.filter((c) => c.status === 'open');
      if (open.length === 0) console.log('no open identity conflicts');
      for (const c of open) console.log(`${show(c.conflictId)}  ${show(c.at)}  ${show(c.kind)}: ${show(c.detail)}`);
      return;
    }
    case 'dismiss': {
      const conflictId = args[0] ?? usage('conflicts dismiss needs a conflict id');
      await api.call('POST', `/api/identity/conflicts/${encodeURIComponent(conflictId)}/dismiss`);
      console.log(`dismissed ${conflictId}`);
      return;
    }
    default:
      usage(command ? `unknown conflicts command "${command}"` : 'conflicts needs a command');
  }
}

/** `tend endpoints list|create|rotate|disable|deliveries`. */
export async function endpointsCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  o: AdminOptions,
  usage: (message: string) => never,
) {
  const id = () => encodeURIComponent(args[0] ?? usage(`endpoints ${command} needs an endpoint id`));
  switch (command) {
    case 'list': {
      const { endpoints } = (await api.call('GET', '/api/endpoints')) as { endpoints: Row[] };
      if (o.json) return console.log(JSON.stringify(endpoints, null, 2));
      for (const e of endpoints) {
        console.log(
          `${show(e.endpointId)}  ${show(e.status).padEnd(8)} ${show(e.url)}  ${(e.events as string[]).join(',')}`,
        );
      }
      return;
    }
    case 'create': {
      const url = args[0] ?? o.url ?? usage('endpoints create needs a URL');
      const out = await api.call('POST', '/api/endpoints', {
        url,
        events: (o.events ?? '*').split(',').map((e) => e.trim()),
        ...(o.name ? { description: o.name } : {}),
      });
      const endpoint = out.endpoint as Row;
      console.log(`created endpoint ${endpoint.endpointId} for ${endpoint.url}`);
      printSecret('Signing secret (Standard Webhooks)', out.secret);
      return;
    }
    case 'rotate': {
      const out = await api.call('POST', `/api/endpoints/${id()}/rotate`);
      console.log(`rotated ${args[0]}; deliveries carry both signatures for 24 hours`);
      printSecret('New signing secret', out.secret);
      return;
    }
    case 'disable': {
      await api.call('POST', `/api/endpoints/${id()}/disable`);
      console.log(`disabled ${args[0]}`);
      return;
    }
    case 'deliveries': {
      const { deliveries } = (await api.call('GET', `/api/endpoints/${id()}/deliveries`)) as { deliveries: Row[] };
      if (o.json) return console.log(JSON.stringify(deliveries, null, 2));
      for (const d of deliveries) {
        const attempts = (d.attempts as Row[] | undefined) ?? [];
        const last = attempts.at(-1);
        console.log(
          `${show(d.deliveryId)}  ${show(d.status).padEnd(10)} ${show(d.type).padEnd(22)} attempts ${attempts.length}${last ? `, last ${show(last.statusCode ?? last.error)}` : ''}`,
        );
      }
      return;
    }
    default:
      usage(command ? `unknown endpoints command "${command}"` : 'endpoints needs a command');
  }
}
