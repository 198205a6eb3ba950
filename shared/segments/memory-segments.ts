import type { Contact, TimelineEvent } from '#core/contact.ts';
import type { Membership, StoredSegment } from './model.ts';
import type { SegmentStore } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * In-memory segments with the DynamoDB adapter's semantics: a membership, its timeline event
 * and the count change together or not at all. `appendEvent` is the owning store's.
 */
export function createMemorySegmentStore(
  appendEvent: (event: TimelineEvent) => Promise<unknown>,
  initial: readonly StoredSegment[] = [],
  /** The owning store's contacts. */
  getContact: (contactId: string) => Promise<Contact | undefined> = async () => undefined,
): SegmentStore {
  const segments = new Map<string, StoredSegment>(initial.map((s) => [s.id, clone(s)]));
  // segment id → contact id → membership
  const members = new Map<string, Map<string, Membership>>();
  const membersOf = (segmentId: string) => {
    const map = members.get(segmentId) ?? new Map<string, Membership>();
    members.set(segmentId, map);
    return map;
  };
  const listMemberships = async (contactId: string) => {
    const found: Membership[] = [];
    for (const map of members.values()) {
      const m = map.get(contactId);
      if (m) found.push(clone(m));
    }
    return found.sort((a, b) => a.segmentId.localeCompare(b.segmentId));
  };
  return {
    async listSegments() {
      return [...segments.values()].sort((a, b) => a.id.localeCompare(b.id)).map(clone);
    },
    async getSegment(segmentId) {
      const found = segments.get(segmentId);
      return found && clone(found);
    },
    async saveSegment(segment, expectedRevision) {
      const existing = segments.get(segment.id);
      if (existing?.revision !== expectedRevision) return 'conflict';
      segments.set(segment.id, { ...clone(segment), members: existing?.members ?? 0 });
      return 'saved';
    },
    async updateReevaluation(segmentId, progress) {
      const existing = segments.get(segmentId);
      if (!existing || existing.reevaluation?.revision !== progress.revision) return false;
      existing.reevaluation = clone(progress);
      return true;
    },
    listMemberships,
    async getContactWithMemberships(contactId) {
      const contact = await getContact(contactId);
      return { ...(contact ? { contact } : {}), memberships: await listMemberships(contactId) };
    },
    async listMembers(segmentId, cursor, limit) {
      const all = [...membersOf(segmentId).values()]
        .filter((m) => cursor === undefined || m.contactId > cursor)
        .sort((a, b) => a.contactId.localeCompare(b.contactId));
      const page = all.slice(0, limit).map(clone);
      const last = page.at(-1);
      return all.length > limit && last ? { members: page, cursor: last.contactId } : { members: page };
    },
    async enterSegment(membership, event) {
      const map = membersOf(membership.segmentId);
      const segment = segments.get(membership.segmentId);
      if (map.has(membership.contactId) || !segment) return false;
      // Claimed before the first await, as the DynamoDB transaction's condition would.
      map.set(membership.contactId, clone(membership));
      segment.members += 1;
      await appendEvent(event);
      return true;
    },
    async leaveSegment(membership, event) {
      const map = membersOf(membership.segmentId);
      if (!map.has(membership.contactId)) return false;
      map.delete(membership.contactId);
      const segment = segments.get(membership.segmentId);
      if (segment) segment.members -= 1;
      await appendEvent(event);
      return true;
    },
  };
}
