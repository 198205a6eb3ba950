import type { RegistryStore } from '#platform/store.ts';
import type { ApiKey } from '#sources/model.ts';
import type { IdentityConflict, ImportRecord, ImportRowError } from './model.ts';

const clone = <T>(value: T): T => structuredClone(value);

/** In-memory RegistryStore with the same conditional semantics as the DynamoDB adapter. */
export function createMemoryRegistry(): RegistryStore {
  const conflicts = new Map<string, IdentityConflict>();
  const keys = new Map<string, ApiKey>();
  const imports = new Map<string, ImportRecord>();
  const batches = new Set<string>();
  const errors = new Map<string, Map<number, ImportRowError>>();
  return {
    async putConflict(conflict) {
      if (conflicts.has(conflict.conflictId)) return 'duplicate';
      conflicts.set(conflict.conflictId, clone(conflict));
      return 'recorded';
    },
    async listConflicts() {
      return [...conflicts.values()].map(clone);
    },
    async setConflictStatus(id, status) {
      const conflict = conflicts.get(id);
      if (!conflict) return false;
      conflict.status = status;
      return true;
    },
    async createApiKey(key) {
      if (!keys.has(key.keyId)) keys.set(key.keyId, clone(key));
    },
    async getApiKey(id) {
      const key = keys.get(id);
      return key && clone(key);
    },
    async listApiKeys() {
      return [...keys.values()].map(clone);
    },
    async revokeApiKey(id, at) {
      const key = keys.get(id);
      if (!key || key.revokedAt) return false;
      key.revokedAt = at;
      return true;
    },
    async touchApiKey(id, at) {
      const key = keys.get(id);
      if (key) key.lastUsedAt = at;
    },
    async createImport(record) {
      if (!imports.has(record.importId)) imports.set(record.importId, clone(record));
    },
    async getImport(id) {
      const record = imports.get(id);
      return record && clone(record);
    },
    async recordImportBatch(id, firstRow, counts, rowErrors) {
      const record = imports.get(id);
      if (!record) throw new Error(`no import ${id}`);
      const byRow = errors.get(id) ?? new Map<number, ImportRowError>();
      errors.set(id, byRow);
      for (const e of rowErrors) byRow.set(e.row, clone(e));
      const marker = `${id}#${firstRow}`;
      if (batches.has(marker)) return false;
      batches.add(marker);
      for (const [k, v] of Object.entries(counts) as [keyof ImportRecord['counts'], number][]) record.counts[k] += v;
      return true;
    },
    async completeImport(id, at) {
      const record = imports.get(id);
      if (record) Object.assign(record, { status: 'completed', completedAt: at });
    },
    async listImportErrors(id, limit) {
      return [...(errors.get(id)?.values() ?? [])]
        .sort((a, b) => a.row - b.row)
        .slice(0, limit)
        .map(clone);
    },
  };
}
