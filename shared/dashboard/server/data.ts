import { getContactView } from '#contacts/contact-view.ts';
import type { ContactStore } from '#contacts/store.ts';
import { journeyHistory, listJourneys } from '#journeys/lifecycle.ts';
import type { EnrollmentStore, ExecutionReader, JourneyStore } from '#journeys/store.ts';
import { journeyReport, kpiReport } from '#reports/aggregates.ts';
import type { Counters } from '#reports/counters.ts';
import type { Kpis } from '#reports/kpis.ts';
import type { AggregateStore } from '#reports/store.ts';
import { segmentView } from '#segments/segments.ts';
import type { SegmentStore } from '#segments/store.ts';
import { successorsOf } from '#workflows/journey-nodes.ts';
import { DEFAULT_OVERVIEW_DAYS } from '../client/periods.ts';
import type { auditData } from './audit-data.ts';

/**
 * What the dashboard pages draw, read through the same services as the JSON APIs: counters for
 * KPIs and journey reports, single items for journeys and contacts. Nothing here scans the table.
 */

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days ending `today`, oldest first. */
export function lastDays(today: string, days: number): string[] {
  const end = Date.parse(`${today}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => dayOf(end - (days - 1 - i) * DAY_MS));
}

export interface DayPoint {
  day: string;
  orders: number;
  /** Net revenue (sales − refunds) in the KPI report's currency, minor units. */
  revenueMinor: number;
}

export interface Overview {
  period: { from: string; to: string };
  kpis: Kpis;
  series: DayPoint[];
  /** Contacts, leads, first-time and repeat customers reached in the period (by the day each step was reached). */
  funnel: { contacts: number; leads: number; customers: number; repeatCustomers: number };
}

/** Per-day points and funnel sums from the day counter items. */
export function seriesFrom(counters: Counters, days: readonly string[], currency: string | null) {
  const field = (day: string, name: string) => counters[`kpi#day#${day}`]?.[name] ?? 0;
  const series = days.map((day) => ({
    day,
    orders: field(day, 'orders'),
    revenueMinor: currency ? field(day, `sales_${currency}`) - field(day, `refunds_${currency}`) : 0,
  }));
  const sum = (name: string) => days.reduce((total, day) => total + field(day, name), 0);
  return {
    series,
    funnel: {
      contacts: sum('contacts_new'),
      leads: sum('leads_new'),
      customers: sum('customers_new'),
      repeatCustomers: sum('customers_repeat'),
    },
  };
}

/** The overview page: a period's KPIs (default the last 30 days), the daily series and the funnel. */
export async function overviewData(
  aggregates: AggregateStore,
  today: string,
  options: { days?: number; currency?: string } = {},
): Promise<Overview> {
  const days = lastDays(today, options.days ?? DEFAULT_OVERVIEW_DAYS);
  const period = { from: days[0] ?? today, to: today };
  const [kpis, counters] = await Promise.all([
    kpiReport(aggregates, period, options.currency),
    aggregates.getCounters(days.map((d) => `kpi#day#${d}`)),
  ]);
  return { period, kpis, ...seriesFrom(counters, days, kpis.revenue.currency) };
}

/** Every journey with its status and live version, and the report of each version that has one. */
export async function journeysData(deps: { store: JourneyStore; aggregates: AggregateStore }) {
  const [journeys, reports] = await Promise.all([listJourneys(deps), journeyReport(deps.aggregates)]);
  return {
    journeys: journeys.map((j) => ({
      ...j,
      reports: reports.filter((r) => r.journeyId === j.journeyId).sort((a, b) => b.version - a.version),
    })),
  };
}

export interface GraphNode {
  id: string;
  type: string;
}

/**
 * A journey's nodes and the edges between them, labelled by field (and a split's arms by name),
 * for the client to lay out: the nodes `start` reaches first, depth first, then the rest.
 */
export function journeyGraph(document: { start: string; nodes: Record<string, Parameters<typeof successorsOf>[0]> }) {
  const edges: { from: string; to: string; label: string; arm?: string }[] = [];
  const seen = new Set<string>();
  const finished: string[] = [];
  const visit = (id: string) => {
    const node = document.nodes[id];
    seen.add(id);
    for (const next of node ? successorsOf(node) : []) {
      const arm = /^branches\[(\d+)\]\.next$/.exec(next.field);
      const name =
        arm && (node?.type === 'split' || node?.type === 'random-split')
          ? node.branches[Number(arm[1])]?.name
          : undefined;
      edges.push({
        from: id,
        to: next.id,
        label: next.field === 'next' ? '' : next.field,
        ...(name ? { arm: name } : {}),
      });
      if (!seen.has(next.id) && document.nodes[next.id]) visit(next.id);
    }
    finished.push(id);
  };
  if (document.nodes[document.start]) visit(document.start);
  const order = [...finished, ...Object.keys(document.nodes).filter((id) => !seen.has(id))];
  const nodes: GraphNode[] = order.map((id) => ({
    id,
    type: document.nodes[id]?.type ?? 'unknown',
  }));
  return { nodes, edges };
}

/** One journey: summary, live definition as a graph, version history and reports. */
export async function journeyData(deps: { store: JourneyStore; aggregates: AggregateStore }, journeyId: string) {
  const summary = await deps.store.getJourney(journeyId);
  if (!summary) return undefined;
  const [live, history, reports] = await Promise.all([
    summary.live ? deps.store.getVersion(journeyId, summary.live.version) : Promise.resolve(undefined),
    journeyHistory(deps, journeyId),
    journeyReport(deps.aggregates),
  ]);
  return {
    journeyId,
    name: summary.name,
    status: summary.status,
    liveVersion: summary.live?.version ?? null,
    latestVersion: summary.latestVersion,
    graph: live ? journeyGraph(live.document) : null,
    history,
    reports: reports.filter((r) => r.journeyId === journeyId).sort((a, b) => b.version - a.version),
  };
}

/**
 * One enrollment's path through its journey: the execution's states in order (its history on
 * Step Functions), each with the node type of the version the contact entered.
 */
export async function enrollmentPath(
  deps: {
    store: Pick<EnrollmentStore, 'getEnrollment'> & Pick<JourneyStore, 'getVersion'>;
    executions: ExecutionReader;
  },
  contactId: string,
  enrollmentId: string,
) {
  const enrollment = await deps.store.getEnrollment(contactId, enrollmentId);
  if (!enrollment?.executionArn) return undefined;
  const [path, version] = await Promise.all([
    deps.executions.path(enrollment.executionArn),
    deps.store.getVersion(enrollment.journeyId, enrollment.journeyVersion),
  ]);
  if (!path) return undefined;
  const nodes = version?.document.nodes ?? {};
  return {
    enrollmentId,
    journeyId: enrollment.journeyId,
    journeyVersion: enrollment.journeyVersion,
    ...path,
    steps: path.steps.map((s) => ({ ...s, node: nodes[s.state]?.type ?? null })),
  };
}

/** The segments page: every segment with its rule in words, member count and re-evaluation. */
export async function segmentsData(store: Pick<SegmentStore, 'listSegments'>) {
  return { segments: (await store.listSegments()).map(segmentView) };
}

/** One segment and its first members (their emails as they entered). */
export async function segmentData(store: Pick<SegmentStore, 'getSegment' | 'listMembers'>, segmentId: string) {
  const segment = await store.getSegment(segmentId);
  if (!segment) return undefined;
  const page = await store.listMembers(segmentId, undefined, 50);
  return { segment: segmentView(segment), members: page.members, more: page.cursor !== undefined };
}

/** Enrollments the contact page lists, newest first. */
const CONTACT_ENROLLMENTS = 50;

/** A contact's page: profile, scores with explanations, segments, timeline and enrollments. */
export async function contactData(
  store: ContactStore & EnrollmentStore & Pick<SegmentStore, 'listMemberships'>,
  email: string,
  now: Date,
) {
  const view = await getContactView(store, { kind: 'email', value: email }, 50, now);
  if (!view) return undefined;
  const { contact } = view;
  const memberships = await store.listMemberships(contact.contactId);
  return {
    contact: {
      contactId: contact.contactId,
      email: contact.email ?? null,
      phone: contact.phone ?? null,
      firstName: contact.firstName ?? null,
      lastName: contact.lastName ?? null,
      createdAt: contact.createdAt,
      unsubscribedAt: contact.unsubscribedAt ?? null,
      properties: contact.properties,
    },
    scores: view.scores,
    segments: memberships.map((m) => ({ segmentId: m.segmentId, enteredAt: m.enteredAt })),
    timeline: view.timeline.map((e) => ({ eventId: e.eventId, name: e.name, at: e.at, data: e.data })),
    // The newest 50: a loyal customer collects an enrollment per order.
    enrollments: [...view.enrollments]
      .sort((a, b) => b.enteredAt.localeCompare(a.enteredAt))
      .slice(0, CONTACT_ENROLLMENTS)
      .map((e) => ({
        enrollmentId: e.enrollmentId,
        journeyId: e.journeyId,
        journeyVersion: e.journeyVersion,
        status: e.status,
        enteredAt: e.enteredAt,
        endedAt: e.endedAt ?? null,
        exitReason: e.exitReason ?? null,
        executionArn: e.executionArn ?? null,
      })),
  };
}

/** An endpoint's answer: what a data function resolves with, once a missing record became a 404. */
type Answer<F extends (...args: never[]) => Promise<unknown>> = NonNullable<Awaited<ReturnType<F>>>;

/**
 * What `GET /dashboard/data/<name>` answers, by name: the JSON of each function above. The
 * browser script reads these types, so the pages and the server cannot disagree on a field.
 */
export interface DashboardData {
  overview: Overview;
  journeys: Answer<typeof journeysData>;
  journey: Answer<typeof journeyData>;
  path: Answer<typeof enrollmentPath>;
  segments: Answer<typeof segmentsData>;
  segment: Answer<typeof segmentData>;
  contact: Answer<typeof contactData>;
  audit: Answer<typeof auditData>;
}
