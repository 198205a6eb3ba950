import type { ErasedAddress, PrivacyRequest } from './model.ts';
import type { PrivacyStore } from './store.ts';

/**
 * Privacy requests and the erased-address list in memory, with the DynamoDB adapter's
 * conditions. `restarts` counts re-armed requests (a stream would see each as a new item).
 */
export function createMemoryPrivacy(): PrivacyStore & {
  restarts: () => number;
  addRemoved(requestId: string, type: string, n: number): void;
} {
  const requests = new Map<string, PrivacyRequest>();
  const erased = new Map<string, ErasedAddress>();
  let restarts = 0;
  const clone = <T>(value: T): T => structuredClone(value);
  return {
    restarts: () => restarts,
    addRemoved(requestId, type, n) {
      const request = requests.get(requestId);
      if (request) request.removed[type] = (request.removed[type] ?? 0) + n;
    },
    async createRequest(request) {
      if (requests.has(request.requestId)) return 'exists';
      requests.set(request.requestId, clone({ ...request, removed: request.removed ?? {} }));
      return 'created';
    },
    async getRequest(requestId) {
      const found = requests.get(requestId);
      return found && clone(found);
    },
    async restartRequest(request) {
      restarts++;
      requests.set(request.requestId, clone(request));
    },
    async finishRequest(requestId, doneAt) {
      const request = requests.get(requestId);
      if (request?.status !== 'running') return false;
      const { contactId: _forgotten, ...rest } = request;
      requests.set(requestId, { ...rest, status: 'done', doneAt });
      return true;
    },
    async getErased(hash) {
      const found = erased.get(hash);
      return found && clone(found);
    },
    async putErased(entry) {
      erased.set(entry.hash, clone(entry));
    },
  };
}
