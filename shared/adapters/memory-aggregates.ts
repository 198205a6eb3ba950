import type { ContactKpiState, CounterStamp, Counters } from '#domain/kpis.ts';
import type { AggregateStore } from '#ports/aggregates.ts';

/** In-memory AggregateStore with the same exactly-once semantics as the DynamoDB adapter. */
export function createMemoryAggregates(): AggregateStore {
  const counters: Counters = {};
  const states = new Map<string, ContactKpiState>();
  const applied = new Set<string>();
  const add = (key: string, field: string, by: number) => {
    const item = counters[key] ?? {};
    item[field] = (item[field] ?? 0) + by;
    counters[key] = item;
  };
  const stamp = (stamps: readonly CounterStamp[] = []) => {
    for (const { key, field, value } of stamps) {
      const item = counters[key] ?? {};
      item[field] = Math.max(item[field] ?? value, value);
      counters[key] = item;
    }
  };
  return {
    async applyAggregates({ eventId, contactId, increments, state }) {
      if (applied.has(eventId)) return 'duplicate';
      applied.add(eventId);
      for (const { key, field, by } of increments) add(key, field, by);
      states.set(contactId, structuredClone(state));
      return 'applied';
    },
    async applyBatch({ events, states: next }) {
      const duplicates = events.filter((e) => applied.has(e.eventId)).map((e) => e.eventId);
      if (duplicates.length > 0) return { outcome: 'duplicate', duplicates };
      for (const { eventId, increments, stamps } of events) {
        applied.add(eventId);
        for (const { key, field, by } of increments) add(key, field, by);
        stamp(stamps);
      }
      for (const [contactId, state] of next) states.set(contactId, structuredClone(state));
      return { outcome: 'applied' };
    },
    async addOnce(markerId, increments, stamps) {
      if (applied.has(markerId)) return 'duplicate';
      applied.add(markerId);
      for (const { key, field, by } of increments) add(key, field, by);
      stamp(stamps);
      return 'applied';
    },
    async getKpiState(contactId) {
      const state = states.get(contactId);
      return state && structuredClone(state);
    },
    async getKpiStates(contactIds) {
      return new Map(
        contactIds.flatMap((id) => {
          const state = states.get(id);
          return state ? [[id, structuredClone(state)] as const] : [];
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
