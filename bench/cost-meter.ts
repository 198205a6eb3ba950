/**
 * Billable units the cost benchmark reads off the app's own clients and output: DynamoDB
 * request units from each call's ConsumedCapacity, and the bytes handlers log.
 */
import type { Instrumentable } from './sdk-calls.ts';

/** DynamoDB request units one function consumed. */
export interface CapacityUse {
  calls: number;
  readUnits: number;
  writeUnits: number;
  /** Calls whose answer carried no ConsumedCapacity although it was asked for. */
  unreported: number;
  /** Writes refused by their condition: billed on AWS but answered without capacity (see below). */
  refusedWrites: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

type Capacity = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

/**
 * Asks every data call of the client for `ReturnConsumedCapacity: 'TOTAL'` and sums what comes
 * back, per calling function. DynamoDB Local reports `CapacityUnits` per call (checked: 1 KB
 * writes, 4 KB reads, half for eventually consistent reads, twice for transactions, index
 * writes included), so the command says whether they are read or write units.
 *
 * A write refused by its condition is billed on AWS (at least one write unit, two per item in a
 * transaction) but fails without capacity in the answer: such writes are counted apart and
 * priced at that minimum.
 */
export function meterCapacity(
  client: Instrumentable,
  caller: () => string | undefined,
  note: (key: string, n: number) => void = () => undefined,
) {
  let use = new Map<string, CapacityUse>();
  const entry = (name: string) => {
    let found = use.get(name);
    if (!found) {
      found = { calls: 0, readUnits: 0, writeUnits: 0, unreported: 0, refusedWrites: 0 };
      use.set(name, found);
    }
    return found;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? '').replace(/Command$/, '');
      const metered = READS.has(command) || WRITES.has(command);
      if (!metered) return next(args);
      const input: Record<string, unknown> = {
        ...(args.input as Record<string, unknown>),
        ReturnConsumedCapacity: 'TOTAL',
      };
      const mine = entry(caller() ?? '(outside functions)');
      mine.calls += 1;
      try {
        const result = (await next({ ...args, input })) as { output?: { ConsumedCapacity?: Capacity | Capacity[] } };
        const reported = result.output?.ConsumedCapacity;
        const list = Array.isArray(reported) ? reported : reported ? [reported] : [];
        if (list.length === 0) mine.unreported += 1;
        for (const c of list) {
          const units = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
          if (READS.has(command)) mine.readUnits += units;
          else mine.writeUnits += units;
          note(READS.has(command) ? 'readUnits' : 'writeUnits', units);
        }
        return result;
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ConditionalCheckFailedException') {
          mine.refusedWrites += 1;
          mine.writeUnits += 1;
          note('writeUnits', 1);
        } else if (name === 'TransactionCanceledException') {
          const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
          mine.refusedWrites += 1;
          mine.writeUnits += 2 * items;
          note('writeUnits', 2 * items);
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'tendCostCapacity' },
  );
  return {
    reset() {
      use = new Map();
    },
    snapshot(): Record<string, CapacityUse> {
      return Object.fromEntries([...use].map(([name, u]) => [name, { ...u }]));
    },
  };
}

/** Bytes and lines written to stdout and stderr, per calling function. */
export interface LogUse {
  lines: number;
  bytes: number;
}

/**
 * Counts what is written to stdout and stderr inside function invocations (Powertools' logger
 * and metrics write there, as on Lambda, where each line becomes a CloudWatch Logs event) and
 * keeps it off the terminal; writes outside invocations pass through.
 */
export function meterLogs(caller: () => string | undefined, note: (key: string, n: number) => void = () => undefined) {
  let use = new Map<string, LogUse>();
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  const metricNames = new Set<string>();
  streams.forEach((stream, i) => {
    const original = originals[i] as typeof stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const name = caller();
      if (!name) return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const found = use.get(name) ?? { lines: 0, bytes: 0 };
      found.lines += text.split('\n').filter((l) => l.length > 0).length;
      found.bytes += Buffer.byteLength(text);
      use.set(name, found);
      note('logBytes', Buffer.byteLength(text));
      note('logLines', text.split('\n').filter((l) => l.length > 0).length);
      // Embedded-metric-format lines name the custom metrics CloudWatch will bill for.
      for (const m of text.matchAll(/"Name":"([^"]+)","Unit"/g)) metricNames.add(m[1] as string);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  return {
    reset() {
      use = new Map();
      metricNames.clear();
    },
    snapshot: (): Record<string, LogUse> => Object.fromEntries([...use].map(([n, u]) => [n, { ...u }])),
    metricNames: () => [...metricNames].sort(),
    stop() {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    },
  };
}
