import type { CounterIncrement, CounterStamp, Counters } from './counters.ts';
import type { ContactKpiState } from './kpi-counters.ts';
import type { AggregateStore, ContactWrite } from './store.ts';

/**
 * In-memory AggregateStore with the same exactly-once semantics as the DynamoDB adapter (it
 * remembers every id applied to a contact, where DynamoDB keeps them for a day or two).
 */
export function createMemoryAggregates(): AggregateStore {
  const counters: Counters = {};
  const contacts = new Map<string, { state: ContactKpiState; rev: number; applied: Set<string> }>();
  const markers = new Set<string>();
  const add = (increments: readonly CounterIncrement[]) => {
    for (const { key, field, by } of increments) {
      const item = counters[key] ?? {};
      item[field] = (item[field] ?? 0) + by;
      counters[key] = item;
    }
  };
  const stamp = (stamps: readonly CounterStamp[] = []) => {
    for (const { key, field, value } of stamps) {
      const item = counters[key] ?? {};
      item[field] = Math.max(item[field] ?? value, value);
      counters[key] = item;
    }
  };
  const refuses = (write: ContactWrite) => {
    const stored = contacts.get(write.contactId);
    if (write.ids.some((id) => stored?.applied.has(id))) return true;
    return write.state !== undefined && (stored?.rev ?? 0) !== (write.rev ?? 0);
  };
  return {
    async applyBatch(input) {
      const refused = {
        markers: input.markers.filter((id) => markers.has(id)),
        contacts: input.contacts.filter(refuses).map((c) => c.contactId),
      };
      if (refused.markers.length > 0 || refused.contacts.length > 0) return { outcome: 'refused', ...refused };
      for (const id of input.markers) markers.add(id);
      add(input.increments);
      stamp(input.stamps);
      for (const write of input.contacts) {
        const stored = contacts.get(write.contactId) ?? { state: {}, rev: 0, applied: new Set<string>() };
        for (const id of write.ids) stored.applied.add(id);
        stored.rev += 1;
        if (write.state) stored.state = structuredClone(write.state);
        contacts.set(write.contactId, stored);
      }
      return { outcome: 'applied' };
    },
    async addOnce(markerId, increments, stamps) {
      if (markers.has(markerId)) return 'duplicate';
      markers.add(markerId);
      add(increments);
      stamp(stamps);
      return 'applied';
    },
    async getKpiStates(contactIds) {
      return new Map(
        contactIds.flatMap((id) => {
          const stored = contacts.get(id);
          if (!stored) return [];
          const applied = new Set(stored.applied);
          return [
            [id, { state: structuredClone(stored.state), rev: stored.rev, applied: (a: string) => applied.has(a) }],
          ];
        }),
      );
    },
    async getCounters(keys) {
      return Object.fromEntries(keys.filter((k) => counters[k]).map((k) => [k, { ...counters[k] }]));
    },
    async listCounters(prefix) {
      return Object.fromEntries(
        Object.entries(counters)
          .filter(([k]) => k.startsWith(prefix))
          .map(([k, v]) => [k, { ...v }]),
      );
    },
  };
}
