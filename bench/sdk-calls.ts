/**
 * Counts the AWS SDK calls the app's own clients make (the module-scope clients every handler
 * shares), labelled by command and by the kind of item they touch, so the report can say how
 * many DynamoDB round trips accepting and processing one webhook cost. The stack's own
 * infrastructure clients (the stream driver's GetRecords polling) are not counted.
 */

type Args = { input: unknown };
type Middleware = (
  next: (args: Args) => Promise<unknown>,
  context: { commandName?: string },
) => (args: Args) => Promise<unknown>;

export interface Instrumentable {
  middlewareStack: { add(middleware: Middleware, options: { step: 'initialize'; name: string }): void };
}

/** `CONTACT#123` → `CONTACT`; accepts document-client values and marshalled `{ S }` ones. */
function keyKind(value: unknown): string | undefined {
  const text =
    typeof value === 'string'
      ? value
      : value && typeof value === 'object' && 'S' in value && typeof value.S === 'string'
        ? value.S
        : undefined;
  return text?.split('#')[0];
}

function itemKinds(input: Record<string, unknown>): string {
  const pkOf = (o: unknown) => (o && typeof o === 'object' && 'pk' in o ? keyKind(o.pk) : undefined);
  if (Array.isArray(input.TransactItems)) {
    const kinds = input.TransactItems.map((t: Record<string, { Item?: unknown; Key?: unknown }>) => {
      const [op, body] = Object.entries(t)[0] ?? [];
      return `${op}:${pkOf(body?.Item) ?? pkOf(body?.Key) ?? '?'}`;
    });
    // Distinct kinds only: batched transactions (a stream batch's counters) vary in length.
    return [...new Set(kinds)].join('+');
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') {
    // BatchGetItem { table: { Keys } } or BatchWriteItem { table: [{ PutRequest | DeleteRequest }] }.
    const kinds = new Set<string>();
    for (const request of Object.values(input.RequestItems as Record<string, unknown>)) {
      const entries = Array.isArray(request) ? request : ((request as { Keys?: unknown[] }).Keys ?? []);
      for (const entry of entries as Record<string, { Item?: unknown; Key?: unknown }>[]) {
        const body = entry.PutRequest ?? entry.DeleteRequest;
        kinds.add((body ? (pkOf(body.Item) ?? pkOf(body.Key)) : pkOf(entry)) ?? '?');
      }
    }
    return [...kinds].sort().join('+');
  }
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  return pkOf(input.Item) ?? pkOf(input.Key) ?? keyKind(values?.[':pk']) ?? '';
}

/** Calls by label (`service command item-kinds`), per function that made them. */
export type CallsByFunction = Record<string, Record<string, number>>;

/** Names the calls made outside any function invocation (the benchmark's own, the stack's start). */
export const OUTSIDE_FUNCTIONS = '(outside functions)';

/**
 * Adds a counting middleware to each client; returns the counter. `caller` names the function
 * whose invocation a call is made in (see invocations.ts), so calls can be split by function.
 */
export function countSdkCalls(
  clients: Record<string, Instrumentable>,
  caller: () => string | undefined = () => undefined,
) {
  let counts = new Map<string, Map<string, number>>();
  for (const [service, client] of Object.entries(clients)) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const input = (args.input ?? {}) as Record<string, unknown>;
        const kinds = service === 'dynamodb' ? itemKinds(input) : '';
        const label = `${service} ${command}${kinds ? ` ${kinds}` : ''}`;
        const by = caller() ?? OUTSIDE_FUNCTIONS;
        const labels = counts.get(by) ?? new Map<string, number>();
        labels.set(label, (labels.get(label) ?? 0) + 1);
        counts.set(by, labels);
        return next(args);
      },
      { step: 'initialize', name: 'tendBenchCallCounter' },
    );
  }
  return {
    reset() {
      counts = new Map();
    },
    /** Calls by label, every caller together, most frequent first. */
    snapshot(): Record<string, number> {
      const all = new Map<string, number>();
      for (const labels of counts.values()) for (const [label, n] of labels) all.set(label, (all.get(label) ?? 0) + n);
      return Object.fromEntries([...all].sort((a, b) => b[1] - a[1]));
    },
    byFunction(): CallsByFunction {
      return Object.fromEntries([...counts].map(([by, labels]) => [by, Object.fromEntries(labels)]));
    },
  };
}
