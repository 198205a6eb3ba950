/** Messages between bench/dashboard.ts and its per-table workers (bench/dashboard-worker.ts). */

export type PageName = 'overview' | 'journeys' | 'journey' | 'contact' | 'segments' | 'segment' | 'shell';

/** Storage floors, timed without the handler: one GetItem, and one BatchGetItem of 100 counter items. */
export type ProbeName = 'get-item' | 'batch-get';

/** What a response must hold, from the data the parent loaded (compared after timing). */
export type Check =
  | { kind: 'shell' }
  | { kind: 'probe'; items: number }
  | { kind: 'overview'; expected: unknown }
  | { kind: 'journeys'; liveVersions: Record<string, number>; reports: Record<string, unknown[]> }
  | { kind: 'journey'; journeyId: string; liveVersion: number; nodes: number; reports: unknown[] }
  | {
      kind: 'contact';
      email: string;
      contactId: string;
      events: number;
      newestEventId: string;
      segments: string[];
      enrollments: number;
    }
  | { kind: 'segments'; members: Record<string, number> }
  | { kind: 'segment'; segmentId: string; members: number };

/** One request: `GET /dashboard/data/<page>?<query>`, the overview page's HTML shell, or a storage probe. */
export interface Call {
  page: PageName | ProbeName;
  query?: Record<string, string>;
  check: Check;
}

export type ToWorker = { type: 'sign-in'; token: string } | { type: 'run'; calls: Call[] } | { type: 'exit' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'signed-in' }
  | {
      type: 'ran';
      /** Handler time of each call, ms. */
      ms: number[];
      /** Of each call's time, the wall time with a DynamoDB call in flight. */
      dynamoMs: number[];
      /** Response body size of each call. */
      bytes: number[];
      failed: number;
      failures: string[];
      /** DynamoDB calls the handler's client made during the batch, by command and item kind. */
      sdkCalls: Record<string, number>;
    }
  | { type: 'error'; message: string };
