import type { EventName, TimelineEvent } from '#domain/contact.ts';
import { usageIncrements, visitIncrements } from '#domain/journey-report.ts';
import { type CounterIncrement, mergeIncrements } from '#domain/kpis.ts';
import type { AggregateStore } from '#ports/aggregates.ts';
import type { Journey, JourneyNode } from '#workflows/journey.schema.ts';
import { transitionsOf } from '#workflows/paths.ts';
import type { VersionCache } from './journey-context.ts';

/** Node types that run a Lambda when entered (the others are Waits). */
const RUNS_A_FUNCTION = (node: JourneyNode) => node.type !== 'wait';

export interface VisitDeps {
  aggregates?: AggregateStore;
  versions: VersionCache;
}

/**
 * Counts an enrollment reaching a node, once per (enrollment, node), for the journey report:
 * the node's visit, the state transitions it costs and the function it runs. Plain Waits run no
 * code, so the step before them records them too: `then` names the successor the step leads
 * to, and every Wait from there on (up to the next node that runs code) is counted with it. A
 * contact update that also ran the decision after it (`fused`, its id) counts that decision
 * too, as the Choice it compiles to: no invocation, one transition. All of a step's visits go
 * under one marker, the step's node's: a journey has no loops and a contact takes one path, so
 * the nodes counted with a step are reached from that step only.
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
  const visit = visitCount(version.document.nodes, at, then, fused);
  if (visit) await deps.aggregates.addOnce(visit.eventId, visit.increments);
}

/** A step's visits' counter adds under their marker `visit:<enrollmentId>:<nodeId>`, applied once. */
export interface VisitCount {
  eventId: string;
  increments: CounterIncrement[];
}

/** The count `recordVisits` applies (see there), from the version's nodes. Pure. */
export function visitCount(
  nodes: Journey['nodes'],
  at: { enrollmentId: string; journeyId: string; journeyVersion: number; nodeId: string },
  then?: string,
  fused?: string,
): VisitCount | undefined {
  if (!nodes[at.nodeId]) return undefined;
  const ids = fused ? [at.nodeId, fused] : [at.nodeId];
  let next = then;
  for (let hops = 0; next && hops < 20; hops++) {
    const node = nodes[next];
    if (node?.type !== 'wait') break;
    ids.push(next);
    next = node.next;
  }
  const journey = { journeyId: at.journeyId, version: at.journeyVersion };
  const increments = ids.flatMap((nodeId) => {
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
  return { eventId: `visit:${at.enrollmentId}:${at.nodeId}`, increments: mergeIncrements(increments) };
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
    if (!SEND_OUTCOME_EVENTS.includes(event.name)) continue;
    const { journeyId, journeyVersion, enrollmentId, nodeId } = event.data;
    if (typeof journeyId !== 'string' || typeof journeyVersion !== 'number') continue;
    if (typeof enrollmentId !== 'string' || typeof nodeId !== 'string') continue;
    const version = await versions.get(journeyId, journeyVersion);
    const nodes = version?.document.nodes ?? {};
    if (nodes[nodeId]?.type !== 'send-email') continue;
    const visit = visitCount(nodes, { enrollmentId, journeyId, journeyVersion, nodeId }, staticNext(nodes[nodeId]));
    if (visit) out.set(visit.eventId, visit);
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
