import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { emailEvents, journeyFunctionEnv, journeyFunctions, schedules, streams } from '../manifest.ts';
import { publishBuiltIns } from './built-in-journeys.ts';
import { awaitTransactionCommits, startDynamoDbLocal } from './dynamodb-local.ts';
import { type DynamoTarget, dynamoTarget, LOCAL_CREDENTIALS } from './dynamodb-target.ts';
import { createFrontDoor } from './front-door.ts';
import { invokeFunction, isFunctionName, localFunctionArn } from './functions.ts';
import { startGateway } from './gateway.ts';
import { type LocalHealth, localHealthCheck } from './health.ts';
import { freePort, until } from './readiness.ts';
import { startScheduleDriver } from './schedule-driver.ts';
import { startSesEventsProxy } from './ses-events.ts';
import { startStepFunctionsLocal } from './stepfunctions/server.ts';
import { startStreamDriver } from './stream-driver.ts';
import { nudgeOnWrites } from './stream-nudge.ts';
import { ensureTable, LOCAL_TABLE_NAME } from './table.ts';

export const DEFAULT_ADMIN_TOKEN = 'tend-local-admin-token';
/** Signing secret of the seeded `demo-form` source when TEND_DEMO_SOURCE_SECRET is unset. */
export const DEFAULT_DEMO_SOURCE_SECRET = 'whsec_dGVuZC1kZW1vLWZvcm0tbG9jYWwtc2VjcmV0LTAwMDE=';

type SesServer = (config: { host: string; port: number }) => Promise<import('node:http').Server>;

export interface LocalStackOptions {
  dataDir: string;
  /** Keep DynamoDB in memory and nothing on disk (tests). */
  inMemory?: boolean;
  fresh?: boolean;
  apiPort: number;
  sesPort: number;
  dynamoPort: number;
  /**
   * An existing DynamoDB endpoint (TEND_DYNAMODB_URL) to use instead of starting DynamoDB Local:
   * a shared DynamoDB Local, a proxy, or `https://dynamodb.<region>.amazonaws.com` for a
   * development table in an AWS account. The table is created there when missing.
   */
  dynamoUrl?: string;
  /** The environment's AWS_REGION: the region of that endpoint unless its host names one. */
  region?: string;
  sfnPort: number;
  timeScale: number;
  adminToken: string;
  demoSourceSecret: string;
  /** Built-in journeys published at start when not published yet (default: all of them). */
  journeys?: readonly string[];
  /** Journeys with their own time scale, e.g. `{ "abandoned-cart": 3600 }` (tests). */
  journeyTimeScales?: Record<string, number>;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** Ports of a stack whose every service listens on a free port (tests, benchmarks). */
export const FREE_PORTS = { apiPort: 0, sesPort: 0, dynamoPort: 0, sfnPort: 0 } as const;

export interface LocalStack {
  /** `sesApi` is the SES v2 endpoint the app uses (the event-publishing proxy). */
  urls: { api: string; mail: string; sesApi: string; dynamodb: string; stepfunctions: string };
  health(): Promise<LocalHealth>;
  /** Resolves when the stream driver has delivered every record written so far. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/** A random local secret kept in the data directory (so links and sealed secrets survive restarts). */
function localSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Starts the whole app on this machine: DynamoDB Local, the SES v2 emulator, the local Step
 * Functions endpoint, the stream driver and the HTTP gateway, all running the same handlers and
 * state machine definitions as AWS.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // Lambda runs Node 22; locally Node 20 is supported, so the SDK's upgrade notice is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dataDir = path.resolve(options.dataDir);
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
    stops.length = 0;
  };
  try {
    let target: DynamoTarget;
    if (options.dynamoUrl) {
      // Someone else runs this DynamoDB: no DynamoDB Local of ours, so no Java needed either.
      target = dynamoTarget(options.dynamoUrl, options.region);
    } else {
      const dynamoPort = options.dynamoPort || (await freePort());
      const dynamoLocal = startDynamoDbLocal(
        dynamoPort,
        options.inMemory ? undefined : path.join(dataDir, 'dynamodb'),
        dataDir,
      );
      stops.push(() => dynamoLocal.stop());
      target = dynamoTarget(`http://127.0.0.1:${dynamoPort}`, 'us-east-1');
    }
    const dynamoUrl = target.url;
    // A table in AWS takes the environment's credentials; everything local takes the fixed ones.
    const dynamoCredentials = target.aws ? undefined : LOCAL_CREDENTIALS;
    const dynamo = new DynamoDBClient({
      region: target.region,
      endpoint: dynamoUrl,
      ...(dynamoCredentials ? { credentials: dynamoCredentials } : {}),
    });
    stops.push(() => dynamo.destroy());

    // A CommonJS module whose `default` export is the server factory; loaders differ on
    // whether that arrives as `default` or `default.default`.
    const sesModule = (await import('aws-ses-v2-local')) as unknown as { default: SesServer | { default: SesServer } };
    const sesServer = typeof sesModule.default === 'function' ? sesModule.default : sesModule.default.default;
    const ses = await sesServer({ host: '127.0.0.1', port: options.sesPort });
    stops.push(() => new Promise<void>((resolve) => ses.close(() => resolve())));
    const sesPort = (ses.address() as net.AddressInfo).port;
    const mailUrl = `http://localhost:${sesPort}`;
    // The app talks to SES through a proxy that publishes SES's events, as a configuration set does.
    const sesEvents = await startSesEventsProxy({
      upstream: `http://127.0.0.1:${sesPort}`,
      port: 0,
      emit: async (event) => {
        await invokeFunction(emailEvents.function, event);
      },
      log: options.log,
    });
    stops.push(() => sesEvents.close());

    await until(target.aws ? 'DynamoDB' : 'DynamoDB Local', 60_000, () =>
      dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME })).catch((error: unknown) => {
        // A missing table is an answer: the endpoint is up, and ensureTable creates the table.
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }),
    );
    await ensureTable(dynamo);

    const sfnLocal = await startStepFunctionsLocal({
      port: options.sfnPort,
      dataDir: options.inMemory ? undefined : dataDir,
      timeScale: options.timeScale,
      invokeFunction: (name: string, payload: unknown) => {
        if (!isFunctionName(name)) throw new Error(`no local function named ${name}`);
        return invokeFunction(name, payload);
      },
      log: options.log,
    });
    stops.push(() => sfnLocal.close());
    const sfn = new SFNClient({ region: 'us-east-1', endpoint: sfnLocal.endpoint, credentials: LOCAL_CREDENTIALS });
    stops.push(() => sfn.destroy());

    const apiPort = options.apiPort || (await freePort());
    const apiUrl = `http://localhost:${apiPort}`;
    // The app's SDK clients sign with the local credentials whenever an endpoint is configured,
    // so a table in AWS is reached without one: the default endpoint of AWS_REGION is that URL.
    if (target.aws) delete process.env.TEND_DYNAMODB_ENDPOINT;
    else process.env.TEND_DYNAMODB_ENDPOINT = dynamoUrl;
    Object.assign(process.env, {
      AWS_REGION: target.region,
      TEND_TABLE_NAME: LOCAL_TABLE_NAME,
      TEND_SES_ENDPOINT: sesEvents.url,
      TEND_SFN_ENDPOINT: sfnLocal.endpoint,
      TEND_PUBLIC_URL: apiUrl,
      TEND_ADMIN_TOKEN: options.adminToken,
      TEND_LINK_SECRET: localSecret(dataDir, 'link-secret'),
      TEND_SECRET_KEY: localSecret(dataDir, 'secret-key'),
      TEND_ALLOW_INSECURE_WEBHOOKS: 'true',
      TEND_TIME_SCALE: String(options.timeScale),
      ...(target.aws ? {} : { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      // Tracing is off here, and the X-Ray SDK's default mode would otherwise hook every promise
      // in the process (its context tracking) for nothing: about a tenth of this process's CPU in
      // a drain (async-hook bookkeeping and the garbage it leaves).
      AWS_XRAY_MANUAL_MODE: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      TEND_JOURNEY_PREFIX: 'tend',
      TEND_JOURNEY_ROLE_ARN: 'arn:aws:iam::000000000000:role/tend-local-journeys',
      TEND_JOURNEY_TIME_SCALES: JSON.stringify(options.journeyTimeScales ?? {}),
      ...Object.fromEntries(
        Object.entries(journeyFunctionEnv).map(([role, env]) => [
          env,
          localFunctionArn(journeyFunctions[role as keyof typeof journeyFunctions]),
        ]),
      ),
    });

    // Seed the demo form source (its secret follows TEND_DEMO_SOURCE_SECRET on every start).
    const app = await import('#platform/app.ts');
    // Every function shares this client. A DynamoDB Local keeping data on disk acknowledges a
    // transaction before committing it, so the client waits for the commit (one in memory loses
    // everything on a kill anyway).
    if (!target.aws && !options.inMemory) {
      const { dynamoClient } = await import('#platform/clients/dynamodb.ts');
      awaitTransactionCommits(dynamoClient, dynamoUrl, LOCAL_TABLE_NAME);
    }
    const { ensureSource } = await import('#sources/sources.ts');
    await ensureSource(app, {
      sourceId: 'demo-form',
      name: 'Demo sign-up form',
      kind: 'standard-webhooks',
      secret: options.demoSourceSecret,
    });

    // Publish the built-in journeys nobody has published yet (a restart keeps what is there).
    const published = await publishBuiltIns(app, options.journeys);
    if (published.length > 0) options.log('journeys published', { journeys: published });

    // Deliveries first: while they arrive, stream consumers run one batch at a time.
    const frontDoor = createFrontDoor();
    const driver = startStreamDriver({
      admit: frontDoor.admit,
      dynamo,
      endpoint: target.streamsUrl,
      region: target.region,
      ...(dynamoCredentials ? { credentials: dynamoCredentials } : {}),
      tableName: LOCAL_TABLE_NAME,
      streams,
      dataDir,
      log: options.log,
    });
    stops.push(() => driver.close());
    // A function's write wakes the poller at once (on AWS, Lambda's pollers run on their own).
    const { dynamoClient: appClient } = await import('#platform/clients/dynamodb.ts');
    stops.push(nudgeOnWrites(appClient, () => driver.nudge()));
    const scheduler = startScheduleDriver({
      schedules,
      invoke: invokeFunction,
      timeScale: options.timeScale,
      log: options.log,
    });
    stops.push(() => scheduler.close());

    const health: LocalStack['health'] = localHealthCheck({ dynamo, tableName: LOCAL_TABLE_NAME, sesPort, sfn });

    const drained = async () => {
      await driver.idle();
      await sesEvents.settled();
    };
    const gateway = await startGateway({
      port: apiPort,
      frontDoor,
      intercept: async (method, url) => {
        if (method === 'GET' && url.pathname === '/local/drained') {
          // Local only: answers once every stream record written so far has been handled, so a
          // script or test can check that nothing else happened without guessing a delay.
          const started = performance.now();
          await drained();
          return {
            statusCode: 200,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify({ status: 'drained', ms: Math.round(performance.now() - started) }),
          };
        }
        if (method !== 'GET' || url.pathname !== '/health') return undefined;
        const result = await health();
        return {
          statusCode: result.ok ? 200 : 503,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ status: result.ok ? 'ok' : 'degraded', services: result.services }),
        };
      },
      onRequest: (r) => options.log(`${r.method} ${r.path} ${r.status}`, { ms: Math.round(r.ms) }),
    });
    stops.push(() => gateway.close());

    return {
      urls: {
        api: gateway.url,
        mail: mailUrl,
        sesApi: sesEvents.url,
        dynamodb: dynamoUrl,
        stepfunctions: sfnLocal.endpoint,
      },
      health,
      drained,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
