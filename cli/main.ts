import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HELP = `Usage: npx tend <area> <command> [options]

Templates:
  tend templates list                              saved and built-in templates
  tend templates save <file.json>                  save a new version (checked and compiled first)
  tend templates preview <id> [--email a@b.co] [--locale fr] [--format text|html|json]
  tend templates test-send <id> --to a@b.co [--email a@b.co] [--locale fr]

Options:
  --api <url>      API base URL [TEND_API_URL or http://localhost:3000]
  --token <token>  admin token [TEND_ADMIN_TOKEN or tend-local-admin-token]
  -h, --help       show this help

Exit codes: 0 success, 1 refused or failed (the reason is printed), 2 wrong usage.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: 'string' },
    token: { type: 'string' },
    email: { type: 'string' },
    locale: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string', default: 'text' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const usage = (message?: string): never => {
  if (message) console.error(`tend: ${message}\n`);
  console.error(HELP);
  process.exit(2);
};

const base = values.api ?? process.env.TEND_API_URL ?? 'http://localhost:3000';
const token = values.token ?? process.env.TEND_ADMIN_TOKEN ?? 'tend-local-admin-token';

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
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
    const error = json.error as
      | { message?: string; details?: { locale?: string; line?: number; message?: string }[] }
      | undefined;
    console.error(`tend: ${res.status} ${error?.message ?? res.statusText}`);
    for (const d of Array.isArray(error?.details) ? error.details : []) {
      console.error(
        `  - ${d.locale ? `[${d.locale}] ` : ''}${d.line ? `line ${d.line}: ` : ''}${d.message ?? JSON.stringify(d)}`,
      );
    }
    process.exit(1);
  }
  return json;
}

async function templates(command: string | undefined, args: string[]) {
  const previewBody = {
    ...(values.email ? { email: values.email } : {}),
    ...(values.locale ? { locale: values.locale } : {}),
  };
  switch (command) {
    case 'list': {
      const { templates: list } = (await call('GET', '/api/templates')) as { templates: Record<string, unknown>[] };
      for (const t of list)
        console.log(`${String(t.id).padEnd(24)} ${t.builtIn ? 'built-in' : `v${t.version}  saved ${t.savedAt}`}`);
      return;
    }
    case 'save': {
      const file = args[0] ?? usage('save needs a JSON file');
      const source = JSON.parse(readFileSync(file, 'utf8')) as { id?: string };
      if (!source.id) usage(`${file} has no "id"`);
      const saved = await call('PUT', `/api/templates/${encodeURIComponent(String(source.id))}`, source);
      console.log(`saved ${source.id} version ${saved.version}`);
      return;
    }
    case 'preview': {
      const id = args[0] ?? usage('preview needs a template id');
      const out = await call('POST', `/api/templates/${encodeURIComponent(id)}/preview`, previewBody);
      if (values.format === 'json') console.log(JSON.stringify(out, null, 2));
      else if (values.format === 'html') console.log(out.html);
      else console.log(`Locale:  ${out.locale}\nTo:      ${out.contact}\nSubject: ${out.subject}\n\n${out.text}`);
      return;
    }
    case 'test-send': {
      const id = args[0] ?? usage('test-send needs a template id');
      if (!values.to) usage('test-send needs --to');
      const out = await call('POST', `/api/templates/${encodeURIComponent(id)}/test-send`, {
        ...previewBody,
        to: values.to,
      });
      console.log(`sent to ${values.to} (message ${out.messageId})`);
      return;
    }
    default:
      usage(command ? `unknown templates command "${command}"` : 'templates needs a command');
  }
}

const [area, command, ...rest] = positionals;
if (values.help || !area) usage();
if (area === 'templates') await templates(command, rest);
else usage(`unknown area "${area}"`);
