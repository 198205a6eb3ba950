/** What the journeys' executions did, read back through the Step Functions API. */
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS } from '../infra/local/dynamodb-target.ts';

export interface ExecutionUse {
  executions: number;
  running: number;
  /** States entered: what Step Functions Standard bills as state transitions. */
  transitions: number;
  /** Bytes of the history events with their data, as logging at level ALL writes them. */
  historyBytes: number;
  /**
   * Deferred sends that woke, found the same reason and deferred again to the same time: a
   * local artefact (the waits are scaled, the clock the send checks is not). Each such round
   * (send Task, its route Choice, its Wait) is left out of `transitions` and `historyBytes`.
   */
  repeatedDeferrals: number;
}

/** The states of one deferral round: the send Task, its route Choice and its Wait. */
const STATES_PER_DEFERRAL = 3;

/** The `send.until` a deferral's Wait was entered with, if this event is one. */
function deferralUntil(event: HistoryEvent): string | undefined {
  const details = event.stateEnteredEventDetails;
  if (event.type !== 'WaitStateEntered' || !details?.name?.endsWith(':wait') || !details.input) return undefined;
  try {
    return (JSON.parse(details.input) as { send?: { until?: string } }).send?.until;
  } catch {
    return undefined;
  }
}

const client = (endpoint: string) => new SFNClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });

async function* pages<T>(fetchPage: (token?: string) => Promise<{ items: T[]; nextToken?: string }>) {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.nextToken;
  } while (token);
}

function executionsOf(sfn: SFNClient, machines: string[], status?: 'RUNNING') {
  return machines.map((stateMachineArn) =>
    pages((nextToken) =>
      sfn
        .send(new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 1000, statusFilter: status }))
        .then((o) => ({ items: o.executions ?? [], nextToken: o.nextToken })),
    ),
  );
}

async function machinesOf(sfn: SFNClient): Promise<string[]> {
  const arns: string[] = [];
  for await (const m of pages((nextToken) =>
    sfn.send(new ListStateMachinesCommand({ nextToken })).then((o) => ({
      items: o.stateMachines ?? [],
      nextToken: o.nextToken,
    })),
  ))
    if (m.stateMachineArn) arns.push(m.stateMachineArn);
  return arns;
}

/** Executions still running, across every state machine. */
export async function runningExecutions(endpoint: string): Promise<number> {
  const sfn = client(endpoint);
  try {
    let running = 0;
    for (const list of executionsOf(sfn, await machinesOf(sfn), 'RUNNING')) for await (const _ of list) running += 1;
    return running;
  } finally {
    sfn.destroy();
  }
}

/** Counts every execution's transitions and history bytes. */
export async function executionUse(endpoint: string): Promise<ExecutionUse> {
  const sfn = client(endpoint);
  const use: ExecutionUse = { executions: 0, running: 0, transitions: 0, historyBytes: 0, repeatedDeferrals: 0 };
  try {
    for (const list of executionsOf(sfn, await machinesOf(sfn))) {
      for await (const execution of list) {
        use.executions += 1;
        if (execution.status === 'RUNNING') use.running += 1;
        const events = pages<HistoryEvent>((nextToken) =>
          sfn
            .send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, nextToken, maxResults: 1000 }))
            .then((o) => ({ items: o.events ?? [], nextToken: o.nextToken })),
        );
        let transitions = 0;
        let bytes = 0;
        let repeats = 0;
        const deferrals = new Set<string>();
        for await (const event of events) {
          if (event.type?.endsWith('StateEntered')) transitions += 1;
          bytes += Buffer.byteLength(JSON.stringify(event));
          const until = deferralUntil(event);
          if (until === undefined) continue;
          const key = `${event.stateEnteredEventDetails?.name}|${until}`;
          if (deferrals.has(key)) repeats += 1;
          deferrals.add(key);
        }
        const kept = Math.max(0, transitions - repeats * STATES_PER_DEFERRAL);
        use.transitions += kept;
        use.historyBytes += transitions > 0 ? (bytes * kept) / transitions : bytes;
        use.repeatedDeferrals += repeats;
      }
    }
    return use;
  } finally {
    sfn.destroy();
  }
}
