import type { EventName, TimelineEvent } from '#core/contact.ts';
import type { CounterIncrement } from '#reports/counters.ts';
import { usageIncrements, visitIncrements } from '#reports/journey-report.ts';
import { mergeIncrements } from '#reports/kpi-counters.ts';
import type { AggregateStore } from '#reports/store.ts';
import type { Journey, JourneyNode } from '#workflows/journey.schema.ts';
import { transitionsOf } from '#workflows/paths.ts';
import type { VersionCache } from './context.ts';

/** Node types that run a Lambda when entered (the others are Waits). */
const RUNS_A_FUNCTION = (node: JourneyNode) => node.type !== 'wait';

export interface VisitDeps {
  aggregates?: AggregateStore;
  versions: VersionCache;
}

/**
 * Counts an enrollment reaching a node, once per enrollment, for the journey report: the node's
 * visit, the state transitions it costs and the function it runs. Plain Waits run no code, so
 * the step before them records them too: `then` names the successor the step leads to, and
 * every Wait from there on (up to the next node that runs code) is counted with it, under the
 * step's marker (`visit:<enrollmentId>:<nodeId>`; a journey has no loops and a contact takes one
 * path, so those Waits are reached from that step only). A contact update that also ran the
 * decision after it (`fused`, its id) counts that decision as the Choice it compiles to (no
 * invocation, one transition) under the decision's own marker, with the Waits after it: a
 * failed update counts the update alone, and its successful retry the rest.
 */
export async function recordVisits(
  deps: VisitDeps,
  at: { enrollmentId: string; journeyId: string; journeyVersion: number; nodeId: string },
  then?: string,
  fused?: string,
): Promise<void> {
  if (!deps.aggregates) return;
  const version = await deps.versions.get(at.journeyId, at.journeyVersion);
  if (!version) return;
  let visits = visitCounts(version.document.nodes, at, then, fused);
  // All at once; a marker that exists was counted before (a retried step): the rest again.
  for (let attempt = 0; visits.length > 0 && attempt < 3; attempt++) {
    const outcome = await deps.aggregates.applyBatch({
      increments: visits.flatMap((v) => v.increments),
      markers: visits.map((v) => v.eventId),
      contacts: [],
    });
    if (outcome.outcome === 'applied') return;
    visits = visits.filter((v) => !outcome.markers.includes(v.eventId));
  }
}

/** Visits' counter adds under their marker `visit:<enrollmentId>:<nodeId>`, applied once. */
export interface VisitCount {
  eventId: string;
  increments: CounterIncrement[];
}

/** The counts `recordVisits` applies (see there), from the version's nodes. Pure. */
export function visitCounts(
  nodes: Journey['nodes'],
  at: { enrollmentId: string; journeyId: string; journeyVersion: number; nodeId: string },
  then?: string,
  fused?: string,
): VisitCount[] {
  const waits: string[] = [];
  let next = then;
  for (let hops = 0; next && hops < 20; hops++) {
    const node = nodes[next];
    if (node?.type !== 'wait') break;
    waits.push(next);
    next = node.next;
  }
  const groups = fused ? [[at.nodeId], [fused, ...waits]] : [[at.nodeId, ...waits]];
  const journey = { journeyId: at.journeyId, version: at.journeyVersion };
  return groups.flatMap(([first, ...rest]) => {
    if (!first || !nodes[first]) return [];
    const increments = [first, ...rest].flatMap((nodeId) => {
      const node = nodes[nodeId];
      if (!node) return [];
      return [
        ...visitIncrements({ ...journey, nodeId }),
        ...usageIncrements({
          ...journey,
          transitions: transitionsOf(node, nodeId === fused),
          invocations: RUNS_A_FUNCTION(node) && nodeId !== fused ? 1 : 0,
          emails: node.type === 'send-email' ? 1 : 0,
        }),
      ];
    });
    return [{ eventId: `visit:${at.enrollmentId}:${first}`, increments: mergeIncrements(increments) }];
  });
}

/** The timeline events a journey send always ends with, one of them per attempt that got that far. */
export const SEND_OUTCOME_EVENTS: readonly EventName[] = ['email.sent', 'email.skipped', 'email.deferred'];

/**
 * The visits of send-email nodes, from the events their sends wrote: the send function does not
 * count its own visit (one transaction per email saved), the aggregating consumer counts it with
 * the batch's other counters. Each send writes `email.sent`, `email.skipped` or `email.deferred`
 * with its journey, version, enrollment and node; the visit (and the Waits after the node) is
 * counted once under the same marker the step would have used, however many of those events
 * one send wrote (a deferral, then the send). Events written before sends carried their
 * version were counted by the send itself and are left alone.
 */
export async function sendVisits(versions: VersionCache, events: readonly TimelineEvent[]): Promise<VisitCount[]> {
  const out = new Map<string, VisitCount>();
  for (const event of events) {
    if (!SEND_OUTCOME_EVENTS.includes(event.name) || event.mergedFrom) continue;
    const { journeyId, journeyVersion, enrollmentId, nodeId } = event.data;
    if (typeof journeyId !== 'string' || typeof journeyVersion !== 'number') continue;
    if (typeof enrollmentId !== 'string' || typeof nodeId !== 'string') continue;
    const version = await versions.get(journeyId, journeyVersion);
    const nodes = version?.document.nodes ?? {};
    if (nodes[nodeId]?.type !== 'send-email') continue;
    const at = { enrollmentId, journeyId, journeyVersion, nodeId };
    for (const visit of visitCounts(nodes, at, staticNext(nodes[nodeId]))) out.set(visit.eventId, visit);
  }
  return [...out.values()];
}

/** The successor a node leads to without a decision (the next a Wait chain may hang off). */
export function staticNext(node: JourneyNode | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'send-email':
    case 'update-contact':
    case 'webhook':
    case 'notify-owner':
    case 'wait-until':
      return node.next;
    case 'goal':
      return node.next;
    default:
      return undefined;
  }
}
