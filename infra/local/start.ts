import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import DEMO_SEGMENTS from '../../workflows/examples/segments.json' with { type: 'json' };
import { buildDashboardClient } from '../dashboard-client.ts';
import { seedDemoShop } from './demo-shop.ts';
import { readLocalSettings } from './settings.ts';
import { startLocalStack } from './stack.ts';

const HELP = `Usage: npm start [-- --fresh]

Starts Tend on this machine: DynamoDB Local, the SES v2 emulator with its mail viewer, the local
Step Functions endpoint and the HTTP API, with the demo-form webhook source seeded, the built-in
journeys published, and (on the first start of a data directory) a demo shop's six months of
history posted through the demo form source (with the example segments of
workflows/examples/segments.json).

Options:
  --fresh        delete the data directory first (contacts, executions, checkpoints); a table at
                 TEND_DYNAMODB_URL is kept
  -h, --help     show this help

Environment (defaults in brackets):
  PORT [3000]                    HTTP API port
  TEND_DATA_DIR [.tend]          where data is kept across restarts
  TEND_TIME_SCALE [1]            speed of journey waits; 86400 makes a day pass per second
  TEND_DEMO_CONTACTS [150]       customers in the demo shop posted on a first start (0: none)
  TEND_ADMIN_TOKEN               bearer token for /api/* [tend-local-admin-token]
  TEND_DEMO_SOURCE_SECRET        whsec_ signing secret of the demo-form source
  TEND_INBOX_RETENTION_DAYS [30] days a raw webhook or API event body is kept (at least 7);
                                 DynamoDB's TTL deletes it after (the local table keeps it)
  TEND_TIMELINE_RETENTION_DAYS   days timeline events are kept after they happened [kept for good]
  TEND_DYNAMODB_URL              use this DynamoDB instead of starting DynamoDB Local (no Java
                                 needed): a shared DynamoDB Local, a proxy, or
                                 https://dynamodb.<region>.amazonaws.com for a development table
                                 in AWS (credentials from the environment, region AWS_REGION);
                                 the table "tend" is created there when missing
  TEND_OIDC_ISSUER, TEND_OIDC_CLIENT_ID, TEND_OIDC_CLIENT_SECRET, TEND_OIDC_NAME
                                 dashboard single sign-on through OpenID Connect [off]; register
                                 http://localhost:<PORT>/dashboard/sso-callback at the provider
  TEND_SES_PORT [8005], TEND_DYNAMODB_PORT [8000], TEND_SFN_PORT [8083]
`;

const time = () => new Date().toISOString().slice(11, 19);
const log = (message: string, fields?: Record<string, unknown>) => {
  const extra = fields
    ? Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    : [];
  console.log([time(), message, ...extra].join('  '));
};

async function main() {
  const { values } = parseArgs({
    options: { fresh: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const settings = readLocalSettings();
  // A signal during start-up ends the process at once; the DynamoDB Local watchdog stops Java.
  const abortStart = (signal: string) => {
    console.log(`\n${signal} during start-up: exiting.`);
    process.exit(130);
  };
  process.once('SIGINT', abortStart);
  process.once('SIGTERM', abortStart);
  console.log(`Starting Tend${values.fresh ? ' (fresh data)' : ''}…`);
  const started = Date.now();
  // The dashboard function serves this build (functions/dashboard/client.ts): made now, a
  // client that does not compile stops the start before anything runs.
  await buildDashboardClient();
  const stack = await startLocalStack({
    dataDir: settings.TEND_DATA_DIR,
    fresh: values.fresh,
    apiPort: settings.PORT,
    sesPort: settings.TEND_SES_PORT,
    dynamoPort: settings.TEND_DYNAMODB_PORT,
    dynamoUrl: settings.TEND_DYNAMODB_URL,
    region: settings.AWS_REGION,
    sfnPort: settings.TEND_SFN_PORT,
    timeScale: settings.TEND_TIME_SCALE,
    adminToken: settings.TEND_ADMIN_TOKEN,
    demoSourceSecret: settings.TEND_DEMO_SOURCE_SECRET,
    log,
  });
  const { urls } = stack;
  console.log(`
Tend is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  API             ${urls.api}
  Health          ${urls.api}/health
  Webhooks        POST ${urls.api}/webhooks/demo-form   (Standard Webhooks, source "demo-form")
  Contacts API    ${urls.api}/api/contacts?email=you@example.com   (Authorization: Bearer <TEND_ADMIN_TOKEN>)
  Dashboard       ${urls.api}/dashboard   (sign in with TEND_ADMIN_TOKEN)
  Journeys API    ${urls.api}/api/journeys   (OpenAPI: ${urls.api}/api/openapi.json)
  Mail viewer     ${urls.mail}
  ${settings.TEND_DYNAMODB_URL ? 'DynamoDB      ' : 'DynamoDB Local'}  ${urls.dynamodb}
  Step Functions  ${urls.stepfunctions}

  Data            ${settings.TEND_DATA_DIR}${settings.TEND_TIME_SCALE !== 1 ? `\n  Time scale      ${settings.TEND_TIME_SCALE}x (journey waits pass faster)` : ''}
  Try it          npm run demo:webhook -- you@example.com
  Journeys        npx tend journeys list   |   npx tend journeys history onboarding   |   npx tend tasks list
  Sources, keys   npx tend sources list   |   npx tend keys create website   |   npx tend --help

Press Ctrl-C to stop.
`);

  // The demo shop, once per data directory, in the background: the banner is up meanwhile.
  const marker = path.join(settings.TEND_DATA_DIR, 'demo-shop-seeded');
  if (settings.TEND_DEMO_CONTACTS > 0 && !existsSync(marker)) {
    log(`demo shop: posting the history of ${settings.TEND_DEMO_CONTACTS} customers through the demo form source…`);
    void seedDemoShop({
      api: urls.api,
      secret: settings.TEND_DEMO_SOURCE_SECRET,
      contacts: settings.TEND_DEMO_CONTACTS,
      log,
      segments: { adminToken: settings.TEND_ADMIN_TOKEN, documents: DEMO_SEGMENTS },
    }).then(({ posted, failed }) => {
      writeFileSync(marker, new Date().toISOString());
      log(
        `demo shop: ${posted} events accepted${failed ? `, ${failed} refused` : ''}; journeys and reports fill in as they are processed`,
      );
    });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      console.log('Forced exit.');
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping Tend…`);
    await stack.stop();
    console.log('Stopped. Data kept in', settings.TEND_DATA_DIR);
    process.exit(0);
  };
  process.off('SIGINT', abortStart);
  process.off('SIGTERM', abortStart);
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`\nTend could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
