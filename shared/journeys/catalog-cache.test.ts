import { describe, expect, it } from 'vitest';
import type { StoredSegment } from '#segments/model.ts';
import { cacheCatalog } from './catalog-cache.ts';
import type { JourneySummary } from './model.ts';

/** A catalog whose reads are counted, with a version the test moves as a save would. */
function counted(scope?: () => object | undefined) {
  const reads = { version: 0, journeys: 0, segments: 0 };
  let version = 1;
  let journeys: JourneySummary[] = [{ journeyId: 'a' } as JourneySummary];
  const store = {
    listJourneys: async () => {
      reads.journeys += 1;
      return journeys;
    },
    listSegments: async () => {
      reads.segments += 1;
      return [] as StoredSegment[];
    },
  };
  const cache = cacheCatalog(
    store,
    async () => {
      reads.version += 1;
      return version;
    },
    scope,
  );
  const save = (next: JourneySummary[]) => {
    journeys = next;
    version += 1;
  };
  return { cache, reads, save };
}

describe('the catalog kept in the warm function', () => {
  it('reads the version once per invocation and a list only when the version moved', async () => {
    const { cache, reads, save } = counted();
    cache.beginInvocation();
    await cache.listJourneys();
    await cache.listJourneys();
    await cache.listSegments();
    expect(reads).toEqual({ version: 1, journeys: 1, segments: 1 });

    cache.beginInvocation();
    expect(await cache.listJourneys()).toEqual([{ journeyId: 'a' }]);
    expect(reads).toEqual({ version: 2, journeys: 1, segments: 1 });

    save([{ journeyId: 'b' } as JourneySummary]);
    // Within the same invocation the version is not read again.
    expect(await cache.listJourneys()).toEqual([{ journeyId: 'a' }]);
    cache.beginInvocation();
    expect(await cache.listJourneys()).toEqual([{ journeyId: 'b' }]);
    expect(reads).toEqual({ version: 3, journeys: 2, segments: 1 });
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const cache = cacheCatalog(
      { listJourneys: async () => [] as JourneySummary[], listSegments: async () => [] as StoredSegment[] },
      async () => {
        if (fail) throw new Error('table unreachable');
        return 1;
      },
    );
    cache.beginInvocation();
    await expect(cache.listJourneys()).rejects.toThrow('table unreachable');
    fail = false;
    await expect(cache.listJourneys()).resolves.toEqual([]);
  });

  it('checks once per invocation where several run in one process at once, each in its own scope', async () => {
    let current: object | undefined;
    const { cache, reads } = counted(() => current);
    const first = {};
    const second = {};
    current = first;
    await cache.listJourneys();
    current = second;
    await cache.listJourneys();
    current = first;
    await cache.listSegments();
    // The second invocation checked for itself; the first did not check again.
    expect(reads).toEqual({ version: 2, journeys: 1, segments: 1 });
  });
});
