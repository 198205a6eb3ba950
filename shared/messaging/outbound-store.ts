import type {
  Delivery,
  DeliveryAttempt,
  DeliverySummary,
  DeliveryTransition,
  Endpoint,
  EndpointSecret,
  EndpointStatus,
} from './outbound.ts';

/** A delivery the retry job should look at. */
export interface DueEntry {
  deliveryId: string;
  dueAt: string;
}

/**
 * Storage for outbound webhooks. Every write that could race is conditional and reports
 * whether it landed; the DynamoDB and in-memory adapters share these semantics.
 */
export interface OutboundStore {
  /** Stores a new endpoint; 'exists' when its id is taken. */
  createEndpoint(endpoint: Endpoint): Promise<'created' | 'exists'>;
  getEndpoint(endpointId: string): Promise<Endpoint | undefined>;
  /** Every endpoint, in id order. */
  listEndpoints(): Promise<Endpoint[]>;
  /** Sets the status; false when there is no such endpoint or it already had that status. */
  setEndpointStatus(endpointId: string, status: EndpointStatus, at: string, reason?: string): Promise<boolean>;
  /**
   * Replaces the secrets, provided the current one is still `expectedCurrent` (two concurrent
   * rotations cannot both win); false otherwise.
   */
  replaceEndpointSecrets(
    endpointId: string,
    expectedCurrent: string,
    secrets: EndpointSecret[],
    at: string,
  ): Promise<boolean>;

  /**
   * Stores a new delivery with its log entry and its due entry; 'exists' when the id is taken
   * (the same event or key was enqueued before), in which case nothing is written.
   */
  createDelivery(delivery: Delivery): Promise<'created' | 'exists'>;
  getDelivery(deliveryId: string): Promise<Delivery | undefined>;
  /**
   * Leases a delivery for one attempt: only while it is pending or retrying, still has
   * `attemptCount` attempts and holds no unexpired lease at `now`. False when someone else got it.
   */
  claimDelivery(deliveryId: string, attemptCount: number, now: string, leaseUntil: string): Promise<boolean>;
  /**
   * Appends the attempt (if any) and applies the transition to the delivery and its log entry,
   * replacing its due entry (none once finished). Lands only if the delivery is still as read
   * (same attempt count and due time, not finished); false otherwise.
   */
  recordAttempt(delivery: Delivery, attempt: DeliveryAttempt | undefined, next: DeliveryTransition): Promise<boolean>;
  /** An endpoint's delivery log, newest first. */
  listDeliveries(endpointId: string, limit: number): Promise<DeliverySummary[]>;

  /** Due entries at or before `at`, oldest first. */
  listDue(at: string, limit: number): Promise<DueEntry[]>;
  /** Drops a due entry (one left behind by a delivery that no longer needs it). */
  removeDue(entry: DueEntry): Promise<void>;
}
