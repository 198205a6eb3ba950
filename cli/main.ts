import { parseArgs } from 'node:util';
import { conflictsCommand, endpointsCommand, keysCommand, sourcesCommand } from './admin.ts';
import { createApiClient, usageError } from './http.ts';
import { importFile } from './import.ts';
import { journeysCommand } from './journeys.ts';
import { auditCommand, usersCommand } from './people.ts';
import { contactsCommand } from './privacy.ts';
import { segmentsCommand } from './segments.ts';
import { tasksCommand } from './tasks.ts';
import { templatesCommand } from './templates.ts';

const HELP = `Usage: npx tend <area> <command> [options]

Journeys (files run offline; ids go through the API):
  tend journeys list [--json]                      saved, live and built-in journeys
  tend journeys show <id>                          status, working draft and its violations, live version
  tend journeys save <journey.json>                save a draft revision (violations are listed)
  tend journeys validate <journey.json|id> [--remote]
                                                   every violation with its node and fix, and what each path costs
  tend journeys simulate <journey.json|id> --timeline <scenario.json> [--from T] [--until T] [--json]
                                                   one contact's path on a virtual clock
                                                   (offline, --segments <segments.json> for segment rules)
  tend journeys backtest <journey.json|id> --from <date> --to <date> [--events events.jsonl] [--json]
                                                   what a draft would have done with the stored (or given) events
  tend journeys publish <id|journey.json>          new version, live for new contacts
  tend journeys pause|resume|archive <id>          contacts inside always finish
  tend journeys history <id>                       versions, who published them, when, and the diff
  tend tasks list [--status open|done] [--json]    the owner's tasks from notify-owner steps
  tend tasks done <taskId>

Segments (rules on properties, tags and events; memberships kept current as events arrive):
  tend segments list [--json]                      every segment, its member count and rule in words
  tend segments show <id> [--json]                 rule, revision, members, re-evaluation progress
  tend segments validate <segment.json>            offline: every violation and its fix
  tend segments save <segment.json>                create or change; re-evaluates only whom the change can move
  tend segments members <id> [--limit 50] [--cursor C] [--json]

Templates:
  tend templates list                              saved and built-in templates
  tend templates save <file.json>                  save a new version (checked and compiled first)
  tend templates preview <id> [--email a@b.co] [--locale fr] [--format text|html|json]
  tend templates test-send <id> --to a@b.co [--email a@b.co] [--locale fr]

Sources (signed webhooks in):
  tend sources list [--json]
  tend sources create <id> --kind standard-webhooks|shopify|stripe|woocommerce|typeform
                      [--name "Shop"] [--secret <provider secret>] [--settings '<json>']
  tend sources show <id>
  tend sources rotate <id> [--secret <new>] [--overlap-hours 24]
  tend sources disable|enable <id>

API keys (for POST /api/events and imports):
  tend keys list
  tend keys create <name> [--scopes events:write,contacts:import]
  tend keys revoke <keyId>

Contacts:
  tend import <file.csv> [--mode merge|replace] [--dry-run] [--errors report.csv] [--batch 500]
  tend conflicts list [--json]                     identity conflicts waiting for review
  tend conflicts dismiss <conflictId>
  tend contacts export <contactId>                 everything held about a person, as JSON
  tend contacts erase <contactId> [--wait]         erases a person everywhere (--wait: until done)
  tend contacts unsubscribe|resubscribe <contactId> <topic|all>
                                                   records a person's request to leave or rejoin mail

People (roles: admin, marketer, analyst; see the README's permission table):
  tend users list [--json]
  tend users invite <email> --role admin|marketer|analyst [--name "Ann"]   prints the invitation link once
  tend users show <userId>
  tend users set <userId> [--role R] [--name N]    a role change signs them out everywhere
  tend users reinvite <userId>                     a new invitation link (resets the password)
  tend users sign-out <userId>                     ends every dashboard session of theirs
  tend users delete <userId>
  tend users tokens <userId> [--json]              personal tokens (never the secrets)
  tend users token-create <userId> --name ci       prints the token once
  tend users token-revoke <userId> <tokenId>
  tend audit [--actor <email|userId|token name|admin-token>] [--target journey:onboarding]
             [--limit 50] [--cursor C] [--json]   who changed what, newest first

Outbound webhooks:
  tend endpoints list [--json]
  tend endpoints create <https://url> [--events order.placed,form.submitted|*] [--name "CRM sync"]
  tend endpoints rotate|disable <endpointId>
  tend endpoints deliveries <endpointId> [--json]  the delivery log

Options:
  --api <url>      API base URL [TEND_API_URL or http://localhost:3000]
  --token <token>  a personal token, the admin token, or (imports) an API key
                   [TEND_TOKEN, else TEND_ADMIN_TOKEN, else tend-local-admin-token]
  -h, --help       show this help

Secrets (source and endpoint signing secrets, API keys) are printed once, when created.
Exit codes: 0 success, 1 refused or failed (the reason is printed; an import with refused
rows also exits 1), 2 wrong usage.`;

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      email: { type: 'string' },
      locale: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'text' },
      name: { type: 'string' },
      kind: { type: 'string' },
      secret: { type: 'string' },
      settings: { type: 'string' },
      scopes: { type: 'string' },
      url: { type: 'string' },
      events: { type: 'string' },
      'overlap-hours': { type: 'string' },
      mode: { type: 'string', default: 'merge' },
      'dry-run': { type: 'boolean', default: false },
      errors: { type: 'string' },
      batch: { type: 'string', default: '500' },
      quiet: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      timeline: { type: 'string' },
      from: { type: 'string' },
      until: { type: 'string' },
      remote: { type: 'boolean', default: false },
      status: { type: 'string' },
      segments: { type: 'string' },
      limit: { type: 'string' },
      role: { type: 'string' },
      wait: { type: 'boolean', default: false },
      actor: { type: 'string' },
      target: { type: 'string' },
      cursor: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  usageError(HELP, (error as Error).message);
}
const { values, positionals } = parsed;
const usage = (message?: string): never => usageError(HELP, message);

const base = values.api ?? process.env.TEND_API_URL ?? 'http://localhost:3000';
const token = values.token ?? process.env.TEND_TOKEN ?? process.env.TEND_ADMIN_TOKEN ?? 'tend-local-admin-token';
const api = createApiClient(base, token);
const admin = {
  name: values.name,
  kind: values.kind,
  secret: values.secret,
  settings: values.settings,
  scopes: values.scopes,
  url: values.url,
  events: values.events,
  overlapHours: values['overlap-hours'],
  json: values.json,
};

const [area, command, ...rest] = positionals;
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
if (!area) usage();
switch (area) {
  case 'journeys':
  case 'tasks': {
    const journeyOptions = {
      json: values.json ?? false,
      timeline: values.timeline,
      events: values.events,
      from: values.from,
      to: values.to,
      until: values.until,
      remote: values.remote ?? false,
      status: values.status,
      segments: values.segments,
    };
    if (area === 'journeys') await journeysCommand(api, command, rest, journeyOptions, usage);
    else await tasksCommand(api, command, rest, journeyOptions, usage);
    break;
  }
  case 'segments':
    await segmentsCommand(
      api,
      command,
      rest,
      { json: values.json ?? false, limit: values.limit, cursor: values.cursor },
      usage,
    );
    break;
  case 'templates':
    await templatesCommand(api, command, rest, { ...values, format: values.format ?? 'text' }, usage);
    break;
  case 'sources':
    await sourcesCommand(api, command, rest, admin, usage);
    break;
  case 'keys':
    await keysCommand(api, command, rest, admin, usage);
    break;
  case 'conflicts':
    await conflictsCommand(api, command, rest, admin, usage);
    break;
  case 'endpoints':
    await endpointsCommand(api, command, rest, admin, usage);
    break;
  case 'contacts':
    process.exitCode = await contactsCommand(api, command, rest, { wait: values.wait ?? false }, usage);
    break;
  case 'users':
  case 'audit': {
    const options = {
      name: values.name,
      email: values.email,
      role: values.role,
      actor: values.actor,
      target: values.target,
      limit: values.limit,
      cursor: values.cursor,
      json: values.json ?? false,
    };
    if (area === 'users') await usersCommand(api, command, rest, options, usage);
    else await auditCommand(api, options);
    break;
  }
  case 'import': {
    const file = command ?? usage('import needs a CSV file');
    if (values.mode !== 'merge' && values.mode !== 'replace') usage('--mode is merge or replace');
    const batchSize = Number(values.batch);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) usage('--batch is 1 to 1000 rows');
    try {
      process.exitCode = await importFile(file, {
        base,
        token,
        mode: values.mode as 'merge' | 'replace',
        dryRun: values['dry-run'] ?? false,
        errorsFile: values.errors,
        batchSize,
        quiet: values.quiet ?? false,
      });
    } catch (error) {
      console.error(`tend: import failed: ${(error as Error).message}`);
      process.exitCode = 1;
    }
    break;
  }
  default:
    usage(`unknown area "${area}"`);
}
