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
    return kinds.join('+');
  }
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  return pkOf(input.Item) ?? pkOf(input.Key) ?? keyKind(values?.[':pk']) ?? '';
}

/** Adds a counting middleware to each client; returns the counter. */
export function countSdkCalls(clients: Record<string, Instrumentable>) {
  let counts = new Map<string, number>();
  for (const [service, client] of Object.entries(clients)) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
        const input = (args.input ?? {}) as Record<string, unknown>;
        const kinds = service === 'dynamodb' ? itemKinds(input) : '';
        const label = `${service} ${command}${kinds ? ` ${kinds}` : ''}`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'tendBenchCallCounter' },
    );
  }
  return {
    reset() {
      counts = new Map();
    },
    snapshot(): Record<string, number> {
      return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
    },
  };
}
