import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, type DispatchConsumer, type ReadRecord } from './stream-dispatch.ts';

interface Rec {
  seq: number;
  key: string;
  kind: 'event' | 'inbox';
}

interface Call {
  consumer: string;
  records: Rec[];
  resolve(): void;
  reject(error: Error): void;
}

const consumer = (
  name: string,
  batchSize: number,
  parallelization: number,
  kinds: Rec['kind'][] = ['event', 'inbox'],
): DispatchConsumer<Rec> => ({ name, batchSize, parallelization, wants: (r) => kinds.includes(r.kind) });

/** A dispatcher whose deliveries wait until the test settles them, one by one. */
function harness(consumers: DispatchConsumer<Rec>[]) {
  const calls: Call[] = [];
  const checkpoints: string[] = [];
  const errors: unknown[] = [];
  const dispatcher = createDispatcher<Rec, DispatchConsumer<Rec>>({
    consumers,
    deliver: (c, records) =>
      new Promise<void>((resolve, reject) => calls.push({ consumer: c.name, records, resolve, reject })),
    checkpoint: (shardId, seq) => checkpoints.push(`${shardId}:${seq}`),
    onError: (_c, error) => errors.push(error),
  });
  const push = (shardId: string, ...recs: Rec[]) =>
    dispatcher.push(
      shardId,
      recs.map((r): ReadRecord<Rec> => ({ sequenceNumber: String(r.seq), key: r.key, record: r })),
    );
  /** Settles one delivery and waits until the dispatcher has acted on it. */
  const settle = async (call: Call | undefined, outcome: 'ok' | 'fail' = 'ok') => {
    if (!call) throw new Error('no such delivery');
    const changed = dispatcher.changed();
    if (outcome === 'ok') call.resolve();
    else call.reject(new Error('delivery failed'));
    await changed;
  };
  const batches = () => calls.map((c) => c.records.map((r) => `${r.key}${r.seq}`).join(' '));
  return { dispatcher, calls, checkpoints, errors, push, settle, batches };
}

const rec = (seq: number, key: string, kind: Rec['kind'] = 'event'): Rec => ({ seq, key, kind });

describe('the stream dispatcher', () => {
  it('waits out a batching window for a fuller batch, and starts a full batch at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const h = harness([{ ...consumer('counters', 3, 1), batchingWindowMs: 1_000 }]);

      h.push('s1', rec(1, 'A'));
      vi.advanceTimersByTime(500);
      h.push('s1', rec(2, 'B'));
      vi.advanceTimersByTime(499);
      expect(h.batches()).toEqual([]);
      // The oldest record has waited the whole window: what is there goes, not a full batch.
      vi.advanceTimersByTime(1);
      expect(h.batches()).toEqual(['A1 B2']);

      h.push('s1', rec(3, 'C'), rec(4, 'D'), rec(5, 'E'));
      await h.settle(h.calls[0]);
      // Three waiting fill a batch: no window then.
      expect(h.batches()).toEqual(['A1 B2', 'C3 D4 E5']);
      await h.settle(h.calls[1]);
      expect(h.dispatcher.outstanding()).toBe(0);
      expect(h.checkpoints).toEqual(['s1:2', 's1:5']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('runs batches of other keys side by side and a key’s next records only after its batch is done', async () => {
    const h = harness([consumer('watch', 2, 3)]);

    h.push('s1', rec(1, 'A'), rec(2, 'B'), rec(3, 'A'), rec(4, 'C'), rec(5, 'D'), rec(6, 'B'), rec(7, 'E'));

    // A3 and B6 wait for the batch holding A and B; the third batch takes what is left.
    expect(h.batches()).toEqual(['A1 B2', 'C4 D5', 'E7']);
    await h.settle(h.calls[1]);
    expect(h.batches()).toHaveLength(3);
    expect(h.checkpoints).toEqual([]);
    await h.settle(h.calls[0]);
    expect(h.batches()[3]).toBe('A3 B6');
    expect(h.checkpoints).toEqual(['s1:2']);
    await h.settle(h.calls[2]);
    expect(h.checkpoints).toEqual(['s1:2']);
    await h.settle(h.calls[3]);
    expect(h.checkpoints).toEqual(['s1:2', 's1:7']);
    expect(h.dispatcher.outstanding()).toBe(0);
  });

  it('forms a batch from what is waiting, up to the batch size, once a slot is free', async () => {
    const h = harness([consumer('inbox', 3, 1)]);

    h.push('s1', rec(1, 'I1'), rec(2, 'I2'));
    h.push('s1', rec(3, 'I3'), rec(4, 'I4'), rec(5, 'I5'), rec(6, 'I6'));

    expect(h.batches()).toEqual(['I11 I22']);
    await h.settle(h.calls[0]);
    expect(h.batches()).toEqual(['I11 I22', 'I33 I44 I55']);
    await h.settle(h.calls[1]);
    expect(h.batches()[2]).toBe('I66');
  });

  it('advances the checkpoint past a record only once every consumer that wants it is done', async () => {
    const h = harness([consumer('all', 10, 2), consumer('inbox-only', 10, 2, ['inbox'])]);

    h.push('s1', rec(1, 'A'), rec(2, 'INBOX#1', 'inbox'), rec(3, 'B'));
    const [all, inboxOnly] = h.calls;
    await h.settle(all);

    expect(h.checkpoints).toEqual(['s1:1']);
    await h.settle(inboxOnly);
    expect(h.checkpoints).toEqual(['s1:1', 's1:3']);
  });

  it('moves past records no consumer wants at once', () => {
    const h = harness([consumer('inbox-only', 10, 2, ['inbox'])]);

    h.push('s1', rec(1, 'A'), rec(2, 'B'));

    expect(h.calls).toEqual([]);
    expect(h.checkpoints).toEqual(['s1:2']);
    expect(h.dispatcher.outstanding()).toBe(0);
  });

  it('keeps a checkpoint per shard', async () => {
    const h = harness([consumer('watch', 10, 2)]);

    h.push('s1', rec(1, 'A'));
    h.push('s2', rec(9, 'B'));
    await h.settle(h.calls[1]);

    expect(h.checkpoints).toEqual(['s2:9']);
  });

  it('holds the keys and the checkpoint of a batch whose delivery failed, so a restart delivers it again', async () => {
    const h = harness([consumer('watch', 1, 5)]);

    h.push('s1', rec(1, 'A'), rec(2, 'B'));
    await h.settle(h.calls[0], 'fail');
    await h.settle(h.calls[1]);
    h.push('s1', rec(3, 'A'), rec(4, 'C'));

    expect(h.errors).toHaveLength(1);
    expect(h.batches()).toEqual(['A1', 'B2', 'C4']);
    await h.settle(h.calls[2]);
    expect(h.checkpoints).toEqual([]);
  });

  it('starts no batch once stopped and waits for those in flight', async () => {
    const h = harness([consumer('watch', 1, 1)]);
    h.push('s1', rec(1, 'A'), rec(2, 'B'));

    let stopped = false;
    const stopping = h.dispatcher.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    h.calls[0]?.resolve();
    await stopping;

    expect(h.batches()).toEqual(['A1']);
    expect(h.checkpoints).toEqual(['s1:1']);
  });

  it('whatever order deliveries finish in, keeps each key in order and never checkpoints past an unfinished record', async () => {
    const scenario = fc.record({
      keys: fc.array(fc.constantFrom('A', 'B', 'C', 'D', 'INBOX#1', 'INBOX#2'), { minLength: 1, maxLength: 60 }),
      pages: fc.integer({ min: 1, max: 5 }),
      consumers: fc.array(
        fc.record({ batchSize: fc.integer({ min: 1, max: 5 }), factor: fc.integer({ min: 1, max: 4 }) }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      picks: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ keys, pages, consumers, picks }) => {
        const specs = consumers.map((c, i) =>
          consumer(`c${i}`, c.batchSize, c.factor, i === 0 ? ['event', 'inbox'] : ['event']),
        );
        const h = harness(specs);
        const recs = keys.map((key, i) => rec(i + 1, key, key.startsWith('INBOX') ? 'inbox' : 'event'));
        const finished = new Map(specs.map((s) => [s.name, new Set<number>()]));
        const delivered = new Map(specs.map((s) => [s.name, [] as Rec[]]));
        const open = new Set<Call>();
        let seen = 0;
        const track = () => {
          for (const call of h.calls.slice(seen)) open.add(call);
          seen = h.calls.length;
          for (const spec of specs) {
            const running = [...open].filter((c) => c.consumer === spec.name);
            expect(running.length).toBeLessThanOrEqual(spec.parallelization);
            expect(running.every((c) => c.records.length <= spec.batchSize)).toBe(true);
            const heldKeys = running.flatMap((c) => [...new Set(c.records.map((r) => r.key))]);
            expect(new Set(heldKeys).size).toBe(heldKeys.length);
          }
          const checkpoint = Number(h.checkpoints.at(-1)?.split(':')[1] ?? 0);
          for (const r of recs.filter((r) => r.seq <= checkpoint)) {
            for (const spec of specs.filter((s) => s.wants(r))) expect(finished.get(spec.name)?.has(r.seq)).toBe(true);
          }
        };
        const finish = async (call: Call) => {
          open.delete(call);
          for (const r of call.records) finished.get(call.consumer)?.add(r.seq);
          delivered.get(call.consumer)?.push(...call.records);
          await h.settle(call);
          track();
        };
        const size = Math.ceil(recs.length / pages);
        for (let p = 0; p * size < recs.length; p++) {
          h.push('s1', ...recs.slice(p * size, (p + 1) * size));
          track();
          // Finish a few deliveries between pages, in an order the scenario picks.
          for (const pick of picks.splice(0, 3)) {
            const call = [...open][pick % Math.max(1, open.size)];
            if (call) await finish(call);
          }
        }
        while (open.size > 0) await finish([...open][(picks.shift() ?? 0) % open.size] as Call);
        for (const spec of specs) {
          const got = delivered.get(spec.name) ?? [];
          expect(got.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
            recs.filter((r) => spec.wants(r)).map((r) => r.seq),
          );
          for (const key of new Set(keys)) {
            const order = got.filter((r) => r.key === key).map((r) => r.seq);
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
        }
        expect(h.checkpoints.at(-1)).toBe(`s1:${recs.length}`);
      }),
      { numRuns: 150 },
    );
  });
});
