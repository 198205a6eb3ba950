import { applyTransition, type Delivery, type Endpoint, isFinished, summariseDelivery } from './outbound.ts';
import type { DueEntry, OutboundStore } from './outbound-store.ts';

const clone = <T>(value: T): T => structuredClone(value);
const dueKey = (entry: DueEntry) => `${entry.dueAt}#${entry.deliveryId}`;

/** In-memory OutboundStore with the same conditional semantics as the DynamoDB adapter. */
export function createMemoryOutboundStore(): OutboundStore {
  const endpoints = new Map<string, Endpoint>();
  const deliveries = new Map<string, Delivery>();
  const due = new Map<string, DueEntry>();

  return {
    async createEndpoint(endpoint) {
      if (endpoints.has(endpoint.endpointId)) return 'exists';
      endpoints.set(endpoint.endpointId, clone(endpoint));
      return 'created';
    },
    async getEndpoint(endpointId) {
      const endpoint = endpoints.get(endpointId);
      return endpoint && clone(endpoint);
    },
    async listEndpoints() {
      return [...endpoints.values()].sort((a, b) => a.endpointId.localeCompare(b.endpointId)).map(clone);
    },
    async setEndpointStatus(endpointId, status, at, reason) {
      const endpoint = endpoints.get(endpointId);
      if (!endpoint || endpoint.status === status) return false;
      endpoint.status = status;
      endpoint.updatedAt = at;
      if (status === 'disabled') Object.assign(endpoint, { disabledAt: at }, reason ? { disabledReason: reason } : {});
      else {
        delete endpoint.disabledAt;
        delete endpoint.disabledReason;
      }
      return true;
    },
    async replaceEndpointSecrets(endpointId, expectedCurrent, secrets, at) {
      const endpoint = endpoints.get(endpointId);
      if (endpoint?.secrets[0]?.sealed !== expectedCurrent) return false;
      endpoint.secrets = clone(secrets);
      endpoint.updatedAt = at;
      return true;
    },

    async createDelivery(delivery) {
      if (deliveries.has(delivery.deliveryId)) return 'exists';
      deliveries.set(delivery.deliveryId, clone(delivery));
      if (delivery.dueAt) {
        const entry = { deliveryId: delivery.deliveryId, dueAt: delivery.dueAt };
        due.set(dueKey(entry), entry);
      }
      return 'created';
    },
    async getDelivery(deliveryId) {
      const delivery = deliveries.get(deliveryId);
      return delivery && clone(delivery);
    },
    async claimDelivery(deliveryId, attemptCount, now, leaseUntil) {
      const delivery = deliveries.get(deliveryId);
      if (!delivery || isFinished(delivery) || delivery.attemptCount !== attemptCount) return false;
      if (delivery.leaseUntil && delivery.leaseUntil > now) return false;
      delivery.leaseUntil = leaseUntil;
      return true;
    },
    async recordAttempt(read, attempt, next) {
      const current = deliveries.get(read.deliveryId);
      if (
        !current ||
        isFinished(current) ||
        current.attemptCount !== read.attemptCount ||
        current.dueAt !== read.dueAt
      ) {
        return false;
      }
      const updated = applyTransition(current, attempt, next);
      deliveries.set(updated.deliveryId, clone(updated));
      if (current.dueAt) due.delete(dueKey({ deliveryId: current.deliveryId, dueAt: current.dueAt }));
      if (updated.dueAt) {
        const entry = { deliveryId: updated.deliveryId, dueAt: updated.dueAt };
        due.set(dueKey(entry), entry);
      }
      return true;
    },
    async listDeliveries(endpointId, limit) {
      return [...deliveries.values()]
        .filter((d) => d.endpointId === endpointId)
        .sort((a, b) => `${b.createdAt}#${b.deliveryId}`.localeCompare(`${a.createdAt}#${a.deliveryId}`))
        .slice(0, limit)
        .map((d) => clone(summariseDelivery(d)));
    },

    async listDue(at, limit) {
      return [...due.entries()]
        .filter(([, entry]) => entry.dueAt <= at)
        .sort(([a], [b]) => a.localeCompare(b))
        .slice(0, limit)
        .map(([, entry]) => clone(entry));
    },
    async removeDue(entry) {
      due.delete(dueKey(entry));
    },
  };
}
