import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readLocalSettings } from './settings.ts';
import { signedWebhookHeaders } from './signed-webhook.ts';

const HELP = `Usage: npm run demo:webhook -- <email> [--first-name Ada] [--last-name Lovelace] [--id <webhook-id>]

Posts a form submission to the local demo-form source, signed with Standard Webhooks using
TEND_DEMO_SOURCE_SECRET (or its default). Re-send with the same --id to see a replay ignored.`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const email = positionals[0];
  if (values.help || !email) {
    console.log(HELP);
    process.exit(values.help ? 0 : 2);
  }
  const settings = readLocalSettings();
  const body = JSON.stringify({
    email,
    firstName: values['first-name'] ?? email.split('@')[0]?.replace(/^./, (c) => c.toUpperCase()),
    ...(values['last-name'] ? { lastName: values['last-name'] } : {}),
    fields: { plan: 'starter', source: 'demo' },
  });
  const id = values.id ?? `msg_${randomUUID()}`;
  const timestamp = new Date();
  const url = `http://localhost:${settings.PORT}/webhooks/demo-form`;
  const res = await fetch(url, {
    method: 'POST',
    headers: signedWebhookHeaders(settings.TEND_DEMO_SOURCE_SECRET, id, timestamp, body),
    body,
  }).catch((error: unknown) => {
    console.error(`Could not reach ${url}: is \`npm start\` running? (${String(error)})`);
    process.exit(1);
  });
  console.log(`POST ${url} → ${res.status}`);
  console.log(await res.text());
  console.log(`
Next:
  mail viewer   http://localhost:${settings.TEND_SES_PORT}
  contact       curl -H "Authorization: Bearer ${settings.TEND_ADMIN_TOKEN === 'tend-local-admin-token' ? settings.TEND_ADMIN_TOKEN : '$TEND_ADMIN_TOKEN'}" "http://localhost:${settings.PORT}/api/contacts?email=${encodeURIComponent(email)}"`);
  if (!res.ok) process.exit(1);
}

void main();
