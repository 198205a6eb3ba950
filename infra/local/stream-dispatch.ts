/** One record read from a shard, with the partition key that orders it. */
export interface ReadRecord<R> {
  sequenceNumber: string;
  /** Records with the same key reach a consumer strictly in stream order. */
  key: string;
  record: R;
}

/** A consumer as the dispatcher sees it: an event source mapping's batching and concurrency. */
export interface DispatchConsumer<R> {
  name: string;
  batchSize: number;
  /** Batches of one consumer in flight at once, each over keys no other in-flight batch holds. */
  parallelization: number;
  /**
   * Longest wait, in ms, to gather a fuller batch (Lambda's MaximumBatchingWindowInSeconds): a
   * batch starts once `batchSize` records wait or the oldest has waited this long. 0: at once.
   */
  batchingWindowMs?: number;
  wants(record: R): boolean;
}

export interface DispatcherOptions<R, C extends DispatchConsumer<R>> {
  consumers: readonly C[];
  /**
   * Delivers one batch; resolves once each record is delivered or dead-lettered. A rejection
   * leaves the batch unfinished and its keys held, so the checkpoint stops before it and a
   * restart delivers it again.
   */
  deliver(consumer: C, records: R[]): Promise<void>;
  /** Every record of the shard up to and including this one is finished by every consumer. */
  checkpoint(shardId: string, sequenceNumber: string): void;
  onError(consumer: C, error: unknown): void;
}

interface Entry<R> {
  shardId: string;
  read: ReadRecord<R>;
  /** Consumers that want this record and have not finished it yet. */
  remaining: number;
  /** When it was read (ms, monotonic), for batching windows. */
  readAt: number;
}

interface Lane<R, C> {
  consumer: C;
  waiting: Entry<R>[];
  /** Keys of the batches in flight: a key's next record waits until its batch is done. */
  busy: Set<string>;
  running: number;
  /** The pending start of a batch that waits out its batching window. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Hands records to consumers the way Lambda's event source mappings with a parallelization
 * factor do: each consumer runs several batches at once, formed from what is waiting, while
 * the records of one key go one batch after another, in order. A shard's checkpoint advances
 * only past records that every consumer has finished, along with everything before them, so a
 * process killed at any moment resumes without skipping a record.
 */
export function createDispatcher<R, C extends DispatchConsumer<R>>(options: DispatcherOptions<R, C>) {
  const lanes: Lane<R, C>[] = options.consumers.map((consumer) => ({
    consumer,
    waiting: [],
    busy: new Set(),
    running: 0,
    timer: undefined,
  }));
  /** Per shard, its unfinished records in stream order (finished ones are trimmed from the front). */
  const shards = new Map<string, Entry<R>[]>();
  let outstanding = 0;
  let accepting = true;
  let listeners: (() => void)[] = [];
  const notify = () => {
    const current = listeners;
    listeners = [];
    for (const listener of current) listener();
  };

  const advance = (shardId: string) => {
    const entries = shards.get(shardId);
    if (!entries) return;
    let finished = 0;
    while (finished < entries.length && entries[finished]?.remaining === 0) finished++;
    if (finished === 0) return;
    const last = entries[finished - 1] as Entry<R>;
    entries.splice(0, finished);
    outstanding -= finished;
    options.checkpoint(shardId, last.read.sequenceNumber);
  };

  const run = async (lane: Lane<R, C>, batch: Entry<R>[], keys: Set<string>) => {
    lane.running++;
    try {
      await options.deliver(
        lane.consumer,
        batch.map((e) => e.read.record),
      );
    } catch (error) {
      options.onError(lane.consumer, error);
      // Held for good: a later record of these keys must not overtake the unfinished ones.
      lane.running--;
      notify();
      return;
    }
    lane.running--;
    for (const key of keys) lane.busy.delete(key);
    const touched = new Set<string>();
    for (const entry of batch) {
      entry.remaining--;
      touched.add(entry.shardId);
    }
    for (const shardId of touched) advance(shardId);
    pump(lane);
    notify();
  };

  /** Whether the lane should wait for more records: fewer than a batch wait, all within the window. */
  const gathering = (lane: Lane<R, C>): boolean => {
    const windowMs = lane.consumer.batchingWindowMs ?? 0;
    const oldest = lane.waiting[0];
    if (windowMs <= 0 || !oldest || lane.waiting.length >= lane.consumer.batchSize) return false;
    const left = oldest.readAt + windowMs - performance.now();
    if (left <= 0) return false;
    lane.timer ??= setTimeout(() => {
      lane.timer = undefined;
      pump(lane);
    }, left);
    return true;
  };

  const pump = (lane: Lane<R, C>) => {
    const { batchSize, parallelization } = lane.consumer;
    while (accepting && lane.running < parallelization && lane.waiting.length > 0 && !gathering(lane)) {
      const batch: Entry<R>[] = [];
      const keys = new Set<string>();
      const left: Entry<R>[] = [];
      for (const entry of lane.waiting) {
        // Once full, or when its key is in flight, a record keeps its place for a later batch.
        if (batch.length < batchSize && !lane.busy.has(entry.read.key)) {
          batch.push(entry);
          keys.add(entry.read.key);
        } else {
          left.push(entry);
        }
      }
      if (batch.length === 0) return;
      lane.waiting = left;
      for (const key of keys) lane.busy.add(key);
      void run(lane, batch, keys);
    }
  };

  return {
    /** Adds records read from a shard, in stream order, and starts the batches they allow. */
    push(shardId: string, records: readonly ReadRecord<R>[]) {
      if (records.length === 0) return;
      let entries = shards.get(shardId);
      if (!entries) {
        entries = [];
        shards.set(shardId, entries);
      }
      for (const read of records) {
        const entry: Entry<R> = { shardId, read, remaining: 0, readAt: performance.now() };
        for (const lane of lanes) {
          if (!lane.consumer.wants(read.record)) continue;
          entry.remaining++;
          lane.waiting.push(entry);
        }
        entries.push(entry);
      }
      outstanding += records.length;
      advance(shardId);
      for (const lane of lanes) pump(lane);
    },
    /** Records read but not yet finished by every consumer that wants them. */
    outstanding: () => outstanding,
    /** Resolves the next time a batch finishes. */
    changed: () => new Promise<void>((resolve) => listeners.push(resolve)),
    /** Starts no more batches; resolves once those in flight have finished. */
    async stop() {
      accepting = false;
      for (const lane of lanes) clearTimeout(lane.timer);
      while (lanes.some((l) => l.running > 0)) await new Promise<void>((resolve) => listeners.push(resolve));
    },
  };
}

export type Dispatcher<R> = ReturnType<typeof createDispatcher<R, DispatchConsumer<R>>>;
