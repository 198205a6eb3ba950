import type { InboxRecord, Source } from './model.ts';
import type { InboxStore, SourceStore } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * In-memory sources and inbox records with the same conditional semantics as the DynamoDB
 * adapter. `inbox` is the owning store's (it reports its size).
 */
export function createMemorySources(inbox: Map<string, InboxRecord> = new Map()): SourceStore & InboxStore {
  const sources = new Map<string, Source>();
  return {
    async getSource(id) {
      const source = sources.get(id);
      return source && clone(source);
    },
    async createSource(source) {
      if (sources.has(source.sourceId)) return 'exists';
      sources.set(source.sourceId, clone(source));
      return 'created';
    },
    async updateSource(source) {
      const existing = sources.get(source.sourceId);
      if (!existing) throw new Error(`no source ${source.sourceId}`);
      const { name, secrets, settings, status, updatedAt } = clone(source);
      Object.assign(existing, { name, secrets, settings, status, updatedAt });
    },
    async listSources() {
      return [...sources.values()].map(clone);
    },
    async countDelivery(id, outcome, at) {
      const source = sources.get(id);
      if (!source) return;
      source.stats = { ...source.stats, [outcome]: (source.stats?.[outcome] ?? 0) + 1, lastDeliveryAt: at };
    },
    async putInboxOnce(record) {
      if (inbox.has(record.inboxId)) return 'duplicate';
      inbox.set(record.inboxId, clone(record));
      return 'stored';
    },
    async getInbox(id) {
      const record = inbox.get(id);
      return record && clone(record);
    },
  };
}
