const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const nudging = new WeakMap<object, { current?: () => void }>();

/**
 * Wakes the stream poller after each write `client` makes (the functions' shared client): on a
 * quiet stream the poller naps up to its poll interval, which every stream hop (a webhook to its
 * processing, a step to its counters) would otherwise wait out. Returns what stops it.
 */
export function nudgeOnWrites(
  client: { middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void } },
  nudge: () => void,
): () => void {
  let target = nudging.get(client);
  if (!target) {
    const created: { current?: () => void } = {};
    target = created;
    nudging.set(client, created);
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const out = await next(args);
        if (WRITES.has(context.commandName ?? '')) created.current?.();
        return out;
      },
      { step: 'initialize', name: 'tendNudgeStreams' },
    );
  }
  target.current = nudge;
  const mine = target;
  return () => {
    if (mine.current === nudge) mine.current = undefined;
  };
}
