import type { Contact, TimelineEvent } from '#core/contact.ts';
import { applyScores, type ScoreDeps } from '#scoring/rescore.ts';
import { evaluateContact, type RefreshResult, type SegmentDeps } from '#segments/segments.ts';
import { affectedBy, type ContactChangeKind, hasTimeWindow } from '#workflows/segments.ts';
import { FACT_EVENTS } from './context.ts';
import type { DueItem } from './model.ts';

export type ContactChange = ContactChangeKind | { kind: 'time' };

export interface ContactRefresh extends RefreshResult {
  scores: 'changed' | 'unchanged' | 'gone' | 'not-needed';
  /** The `lastEvents` asked for were written with the scores (else the caller writes them). */
  lastEventsKept?: boolean;
}

const NOTHING: ContactRefresh = { entered: [], exited: [], scores: 'not-needed' };

const moves = (segment: Parameters<typeof affectedBy>[0], changes: readonly ContactChange[]) =>
  changes.some((change) => (change.kind === 'time' ? hasTimeWindow(segment) : affectedBy(segment, change)));

/** Events in the timeline's order, newest first (what `listEvents` answers). */
const newestFirst = (events: readonly TimelineEvent[]) =>
  [...events].sort((a, b) => `${b.at}#${b.eventId}`.localeCompare(`${a.at}#${a.eventId}`));

/**
 * Brings what Tend derives from a contact up to date after one or more changes (events that
 * landed, a profile change, time passing): its stored scores first, when asked, then the
 * segments those changes, or the new scores, can move. The contact and its memberships are read
 * once, and its events only when a score or a rule needs them; nothing is read when nothing can
 * change. `history`, when the caller holds every event of the contact (a new contact's first
 * records), stands in for reading them.
 */
export async function refreshContact(
  deps: SegmentDeps & ScoreDeps & { store: SegmentDeps['store'] & ScoreDeps['store'] },
  contactId: string,
  changes: readonly ContactChange[],
  options: {
    scores: boolean;
    history?: readonly TimelineEvent[];
    /**
     * The contact as just created (its first image, with `history`): it has no memberships yet,
     * so nothing is read. A membership a re-evaluation scan wrote meanwhile makes the entry a
     * no-op (entries are conditional writes).
     */
    created?: Contact;
    /** Latest event times to keep on the contact with its scores, if they are written. */
    lastEvents?: Readonly<Record<string, string>>;
  },
): Promise<ContactRefresh> {
  const all = await deps.store.listSegments();
  let segments = all.filter((segment) => moves(segment, changes));
  if (!options.scores && segments.length === 0) return NOTHING;
  const needsEvents = options.scores || segments.some((s) => s.conditions.some((c) => c.kind === 'event'));
  const [{ contact, memberships }, events] = await Promise.all([
    options.created
      ? Promise.resolve({ contact: options.created, memberships: [] })
      : deps.store.getContactWithMemberships(contactId),
    !needsEvents
      ? Promise.resolve(undefined)
      : options.history
        ? Promise.resolve(newestFirst(options.history).slice(0, FACT_EVENTS))
        : deps.store.listEvents(contactId, FACT_EVENTS),
  ]);
  if (!contact) return { ...NOTHING, scores: 'gone' };
  let current = contact;
  let scores: ContactRefresh['scores'] = 'not-needed';
  let lastEventsKept = false;
  // The next time-driven changes (a score, a rule's window) are queued together at the end.
  const dues: DueItem[] = [];
  if (options.scores) {
    const scored = await applyScores(deps, contact, events as TimelineEvent[], dues, options.lastEvents);
    scores = scored.outcome;
    lastEventsKept = scored.lastEventsKept;
    current = scored.contact;
    // Rules on `scores.*` read the profile: new scores can move them too.
    if (scores === 'changed') segments = all.filter((segment) => moves(segment, [...changes, { kind: 'profile' }]));
  }
  const result =
    segments.length === 0
      ? { ...NOTHING, scores, lastEventsKept }
      : { ...(await evaluateContact(deps, current, segments, memberships, events, dues)), scores, lastEventsKept };
  if (dues.length > 0) await deps.store.putDue(dues);
  return result;
}
