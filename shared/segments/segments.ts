import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { type ContactHistory, contactFacts, eventFact, FACT_EVENTS } from '#journeys/context.ts';
import type { DueItem } from '#journeys/model.ts';
import type { DueStore } from '#journeys/store.ts';
import { segmentIdSchema } from '#workflows/condition.schema.ts';
import type { EvaluationContext } from '#workflows/conditions.ts';
import {
  affectedBy,
  type ContactChangeKind,
  describeSegment,
  hasTimeWindow,
  nextWindowChange,
  reevaluationScope,
  segmentHolds,
  validateSegment,
} from '#workflows/segments.ts';
import { SegmentError } from './errors.ts';
import type { Membership, Reevaluation, StoredSegment } from './model.ts';
import type { SegmentStore } from './store.ts';

/**
 * Segment membership, kept current incrementally:
 * - an event re-evaluates the contact against the segments whose rules count that event;
 * - a profile change, against the segments that read properties or tags;
 * - a due item at the moment an event leaves a rule's time window, against the windowed ones;
 * - a rule change, a resumable scan of only the contacts that change can move (the members of a
 *   narrowed rule, or every contact for that one segment) — never a recompute of all segments.
 * Entering and leaving write the membership, a `segment.entered` / `segment.exited` timeline
 * event and the member count in one transaction; the event's stream record then routes it to
 * journeys (segment triggers, goals, exit rules) like any other event.
 */

export interface SegmentDeps {
  store: SegmentStore & Pick<ContactStore, 'getContact' | 'listEvents'> & Pick<DueStore, 'putDue' | 'scanContacts'>;
  clock: Clock;
  /** Called with each membership event written (the simulator routes them; on AWS the stream does). */
  onEvent?: (event: TimelineEvent) => Promise<void>;
}

export interface RefreshResult {
  entered: string[];
  exited: string[];
}

/** What a change on a contact's timeline means for segments. */
export function changeOfEvent(event: Pick<TimelineEvent, 'name'>): ContactChangeKind | undefined {
  if (event.name.startsWith('segment.')) return undefined;
  // A new contact has never been evaluated: every rule applies (an "all contacts without..." one too).
  if (event.name === 'contact.created' || event.name === 'contact.merged') return { kind: 'all' };
  return { kind: 'event', name: event.name };
}

/**
 * Re-evaluates one contact against the segments the change can affect, then arms the next
 * moment one of its windowed rules can change by time alone.
 */
export async function refreshContactSegments(
  deps: SegmentDeps,
  contactId: string,
  change: ContactChangeKind | { kind: 'time' },
  history?: ContactHistory,
): Promise<RefreshResult> {
  const segments = (await deps.store.listSegments()).filter((s) =>
    change.kind === 'time' ? hasTimeWindow(s) : affectedBy(s, change),
  );
  if (segments.length === 0) return { entered: [], exited: [] };
  const { contact, memberships } = history
    ? { contact: history.contact, memberships: await deps.store.listMemberships(contactId) }
    : await deps.store.getContactWithMemberships(contactId);
  if (!contact) return { entered: [], exited: [] };
  return evaluateContact(deps, contact, segments, memberships, history?.events);
}

/**
 * Evaluates a loaded contact against `segments`, entering and leaving as the rules now say, and
 * arms the next moment a windowed rule can change by time alone. Loads the events only when a
 * rule needs them and none were given.
 */
export async function evaluateContact(
  deps: SegmentDeps,
  contact: Contact,
  segments: StoredSegment[],
  memberships: Membership[],
  loadedEvents?: readonly TimelineEvent[],
  /** Where to leave the next window change for the caller to queue (else it is queued here). */
  dues?: DueItem[],
): Promise<RefreshResult> {
  const result: RefreshResult = { entered: [], exited: [] };
  const now = deps.clock.now();
  const needsEvents = segments.some((s) => s.conditions.some((c) => c.kind === 'event'));
  const events = needsEvents
    ? (loadedEvents ?? (await deps.store.listEvents(contact.contactId, FACT_EVENTS))).map(eventFact)
    : [];
  const ctx: EvaluationContext = { contact: contactFacts(contact), events, now };
  const current = new Map(memberships.map((m) => [m.segmentId, m]));
  let nextChange: number | undefined;
  for (const segment of segments) {
    // A contact merged into another leaves every segment; the survivor carries its events.
    const holds = !contact.mergedInto && segmentHolds(segment, ctx);
    const membership = current.get(segment.id);
    if (holds && !membership) {
      if (await enter(deps, segment, contact, now.toISOString())) result.entered.push(segment.id);
    } else if (!holds && membership) {
      if (await leave(deps, segment, membership, now.toISOString())) result.exited.push(segment.id);
    }
    const change = contact.mergedInto ? undefined : nextWindowChange(segment, ctx)?.getTime();
    if (change !== undefined && (nextChange === undefined || change < nextChange)) nextChange = change;
  }
  if (nextChange !== undefined) {
    const item: DueItem = {
      dueAt: new Date(nextChange).toISOString(),
      kind: 'segments',
      journeyId: '',
      contactId: contact.contactId,
      trigger: 0,
      basis: '',
    };
    if (dues) dues.push(item);
    else await deps.store.putDue(item);
  }
  return result;
}

async function enter(deps: SegmentDeps, segment: StoredSegment, contact: Contact, at: string): Promise<boolean> {
  const { contactId } = contact;
  const event: TimelineEvent = {
    eventId: `segment.entered:${segment.id}:${at}`,
    contactId,
    name: 'segment.entered',
    at,
    data: { segmentId: segment.id, segmentName: segment.name, revision: segment.revision },
  };
  const entered = await deps.store.enterSegment(
    {
      segmentId: segment.id,
      contactId,
      enteredAt: at,
      revision: segment.revision,
      ...(contact.email ? { email: contact.email } : {}),
    },
    event,
  );
  if (entered) await deps.onEvent?.(event);
  return entered;
}

async function leave(deps: SegmentDeps, segment: StoredSegment, membership: Membership, at: string): Promise<boolean> {
  const event: TimelineEvent = {
    // One exit per entry: the id names the entry it ends.
    eventId: `segment.exited:${segment.id}:${membership.enteredAt}`,
    contactId: membership.contactId,
    name: 'segment.exited',
    at,
    data: {
      segmentId: segment.id,
      segmentName: segment.name,
      revision: segment.revision,
      enteredAt: membership.enteredAt,
    },
  };
  const left = await deps.store.leaveSegment(membership, event);
  if (left) await deps.onEvent?.(event);
  return left;
}

// ---------------------------------------------------------------------------------------------
// Rule changes

export interface SavedSegment {
  segment: StoredSegment;
  /** Who the change re-evaluates: nobody, the current members, or every contact. */
  scope: 'none' | Reevaluation['scope'];
}

/**
 * Creates or changes a segment. A change re-evaluates only the contacts it can move (see
 * `reevaluationScope`); a new segment is evaluated once over the contacts. `expectedRevision`
 * guards against two people editing at once.
 */
export async function saveSegment(
  deps: SegmentDeps,
  input: unknown,
  options: { actor: string; expectedRevision?: number },
): Promise<SavedSegment> {
  const checked = validateSegment(input);
  if (!checked.ok) {
    throw new SegmentError(
      'segment_has_violations',
      `the segment is not valid: ${checked.violations.map((v) => `${v.path}: ${v.message}`).join(' ')}`,
      { details: checked.violations },
    );
  }
  const { segment } = checked;
  const existing = await deps.store.getSegment(segment.id);
  if (options.expectedRevision !== undefined && existing?.revision !== options.expectedRevision) {
    throw new SegmentError(
      'revision_changed',
      `segment "${segment.id}" is at revision ${existing?.revision ?? 0}, not ${options.expectedRevision}. Fix: reload it and apply your change again.`,
    );
  }
  const now = deps.clock.now().toISOString();
  let scope: SavedSegment['scope'] = existing ? reevaluationScope(existing, segment) : 'contacts';
  // A scan still running for an earlier change must still reach everyone it was meant to.
  if (existing?.reevaluation?.status === 'running' && scope !== 'none') {
    scope = existing.reevaluation.scope === 'contacts' ? 'contacts' : scope;
  }
  const revision = (existing?.revision ?? 0) + 1;
  const reevaluation: Reevaluation | undefined =
    scope === 'none'
      ? existing?.reevaluation
      : { revision, scope, status: 'running', scanned: 0, entered: 0, exited: 0, startedAt: now };
  const stored: Omit<StoredSegment, 'members'> = {
    ...segment,
    revision,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    updatedBy: options.actor,
    ...(reevaluation ? { reevaluation } : {}),
  };
  if ((await deps.store.saveSegment(stored, existing?.revision)) === 'conflict') {
    throw new SegmentError(
      'revision_changed',
      `segment "${segment.id}" was changed meanwhile. Fix: reload it and try again.`,
    );
  }
  return { segment: { ...stored, members: existing?.members ?? 0 }, scope };
}

export async function getSegmentOrThrow(deps: Pick<SegmentDeps, 'store'>, segmentId: string): Promise<StoredSegment> {
  const segment = segmentIdSchema.safeParse(segmentId).success ? await deps.store.getSegment(segmentId) : undefined;
  if (!segment) throw new SegmentError('segment_not_found', `no segment "${segmentId}"`);
  return segment;
}

const SCAN_PAGE = 100;

/**
 * Advances the running re-evaluations by up to `maxPages` pages in all, each page evaluating
 * its contacts against that one segment. Returns the contacts evaluated.
 */
export async function runReevaluations(deps: SegmentDeps, options: { maxPages?: number } = {}): Promise<number> {
  let pages = options.maxPages ?? 20;
  let scanned = 0;
  for (const segment of await deps.store.listSegments()) {
    let job = segment.reevaluation;
    while (job?.status === 'running' && pages > 0) {
      pages -= 1;
      const page = await nextPage(deps, segment, job);
      const outcome = { entered: 0, exited: 0 };
      for (const contact of page.contacts) {
        const own = page.members?.get(contact.contactId);
        const memberships = own
          ? [own]
          : (await deps.store.listMemberships(contact.contactId)).filter((m) => m.segmentId === segment.id);
        const result = await evaluateContact(deps, contact, [segment], memberships);
        outcome.entered += result.entered.length;
        outcome.exited += result.exited.length;
      }
      scanned += page.contacts.length;
      const next: Reevaluation = {
        ...job,
        scanned: job.scanned + page.contacts.length,
        entered: job.entered + outcome.entered,
        exited: job.exited + outcome.exited,
        ...(page.cursor ? { cursor: page.cursor } : { status: 'done', finishedAt: deps.clock.now().toISOString() }),
      };
      if (!page.cursor) delete next.cursor;
      if (!(await deps.store.updateReevaluation(segment.id, next))) break; // a newer change replaced it
      job = next;
    }
    if (pages <= 0) break;
  }
  return scanned;
}

async function nextPage(
  deps: SegmentDeps,
  segment: StoredSegment,
  job: Reevaluation,
): Promise<{ contacts: Contact[]; cursor?: string; members?: Map<string, Membership> }> {
  if (job.scope === 'contacts') return deps.store.scanContacts(job.cursor, SCAN_PAGE);
  const page = await deps.store.listMembers(segment.id, job.cursor, SCAN_PAGE);
  const contacts: Contact[] = [];
  for (const m of page.members) {
    const contact = await deps.store.getContact(m.contactId);
    if (contact) contacts.push(contact);
  }
  return {
    contacts,
    members: new Map(page.members.map((m) => [m.contactId, m])),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/** A stored segment as the API and the dashboard show it: with its rule in words. */
export const segmentView = (segment: StoredSegment) => ({ ...segment, rule: describeSegment(segment) });
