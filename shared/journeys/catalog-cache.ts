import type { SegmentStore } from '#segments/store.ts';
import type { JourneyStore } from './store.ts';

type Catalog = Pick<JourneyStore, 'listJourneys'> & Pick<SegmentStore, 'listSegments'>;

/**
 * The journeys and segment rules every event is routed against, kept in the warm function.
 * Each invocation (each `scope`, where several run in one process) checks the catalog version
 * once, the first time it needs a list; a list is re-read only when the version moved. Every
 * change to journeys or segment rules bumps the version in the same transaction, so nothing an
 * invocation reads is older than its start.
 *
 * Only the event path reads through this: pages and APIs that show member counts or
 * re-evaluation progress (which change without a bump) read the store itself.
 */
export function cacheCatalog<S extends Catalog>(
  store: S,
  readVersion: () => Promise<number>,
  /** The invocation running now, where several run in one process (the local stack). */
  scope: () => object | undefined = () => undefined,
): S & { beginInvocation(): void } {
  let invocation: object = {};
  const checked = new WeakMap<object, Promise<number>>();
  const version = () => {
    const owner = scope() ?? invocation;
    let read = checked.get(owner);
    if (!read) {
      const reading = readVersion();
      checked.set(owner, reading);
      // A failed read is not remembered: the next call tries again.
      reading.catch(() => {
        if (checked.get(owner) === reading) checked.delete(owner);
      });
      read = reading;
    }
    return read;
  };
  const cached = <T>(load: () => Promise<T[]>) => {
    let entry: { version: number; value: Promise<T[]> } | undefined;
    return async (): Promise<T[]> => {
      const current = await version();
      if (entry?.version !== current) {
        const value = load();
        entry = { version: current, value };
        value.catch(() => {
          if (entry?.value === value) entry = undefined;
        });
      }
      return [...(await entry.value)];
    };
  };
  return {
    ...store,
    listJourneys: cached(() => store.listJourneys()),
    listSegments: cached(() => store.listSegments()),
    /** Called as each invocation starts: the next list read checks the version again. */
    beginInvocation() {
      invocation = {};
    },
  };
}
