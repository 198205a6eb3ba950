import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { seedDemoShop } from '../infra/local/demo-shop.ts';
import { DEFAULT_DEMO_SOURCE_SECRET, type LocalStack, startLocalStack } from '../infra/local/stack.ts';
import DEMO_SEGMENTS from '../workflows/examples/segments.json' with { type: 'json' };

/** A day of journey time passes in a tenth of a second during tests. */
export const TEST_TIME_SCALE = 864_000;
/** An hour of abandoned-cart time passes in three seconds: time enough to place the order under load. */
export const ABANDONED_CART_TIME_SCALE = 1_200;
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
/** Customers of the demo shop seeded before the tests, as `npm start` seeds its own (smaller). */
export const TEST_DEMO_CONTACTS = 10;

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      api: string;
      mail: string;
      sesApi: string;
      dynamodb: string;
      stepfunctions: string;
      adminToken: string;
      demoSourceSecret: string;
      timeScale: number;
      demoContacts: number;
    };
  }
}

let stack: LocalStack | undefined;
let dataDir: string | undefined;

/**
 * A fixed-offset zone where it is midday now. The built-in journeys keep quiet hours (21:00 to
 * 08:00 in the contact's zone, else this default) against the real clock, and the test stack
 * speeds up waits but not the clock: at night every deferred email would be retried until
 * morning, and a test expecting it would fail by the time of day.
 */
export function middayZone(now = new Date()): string {
  const offset = 12 - now.getUTCHours();
  // `Etc/GMT-3` is three hours ahead of UTC (the POSIX sign is inverted).
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** Starts the local services once for the whole run, on free ports, with data in memory. */
export async function setup(project: TestProject) {
  process.env.TEND_DEFAULT_TIME_ZONE = middayZone();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tend-test-'));
  stack = await startLocalStack({
    dataDir,
    inMemory: true,
    apiPort: 0,
    sesPort: 0,
    dynamoPort: 0,
    sfnPort: 0,
    timeScale: TEST_TIME_SCALE,
    adminToken: TEST_ADMIN_TOKEN,
    demoSourceSecret: DEFAULT_DEMO_SOURCE_SECRET,
    // The abandoned cart's hour must be long enough to place an order in: an hour is three seconds.
    journeyTimeScales: { 'abandoned-cart': ABANDONED_CART_TIME_SCALE },
    log: process.env.TEND_TEST_STACK_LOG
      ? (m: string, f?: Record<string, unknown>) => console.error(m, f ?? '')
      : () => undefined,
  });
  // Seeded as `npm start` seeds, and processed before any test starts, so no test waits behind it.
  const seeded = await seedDemoShop({
    api: stack.urls.api,
    secret: DEFAULT_DEMO_SOURCE_SECRET,
    contacts: TEST_DEMO_CONTACTS,
    log: () => undefined,
    segments: { adminToken: TEST_ADMIN_TOKEN, documents: DEMO_SEGMENTS },
  });
  if (seeded.failed > 0) throw new Error(`the demo shop was refused ${seeded.failed} times`);
  await stack.drained();
  project.provide('stack', {
    ...stack.urls,
    adminToken: TEST_ADMIN_TOKEN,
    demoSourceSecret: DEFAULT_DEMO_SOURCE_SECRET,
    timeScale: TEST_TIME_SCALE,
    demoContacts: TEST_DEMO_CONTACTS,
  });
}

export async function teardown() {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
