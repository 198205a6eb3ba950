import type { TimelineEvent } from '#domain/contact.ts';
import { journeyReports } from '#domain/journey-report.ts';
import { counterKeysFor, incrementsFor, type Kpis, kpisFrom, type Period } from '#domain/kpis.ts';
import type { AggregateStore } from '#ports/aggregates.ts';

/**
 * Keeps the dashboard's aggregates current: each timeline event, once, becomes counter adds
 * (KPIs by day, month and retention cohort; journeys by version) and an update of the contact's
 * small KPI state. Reports then read a handful of counter items, never events.
 */
export async function aggregateEvent(store: AggregateStore, event: TimelineEvent): Promise<'applied' | 'duplicate'> {
  const before = await store.getKpiState(event.contactId);
  const { increments, state } = incrementsFor(event, before);
  return store.applyAggregates({
    eventId: event.eventId,
    contactId: event.contactId,
    // incrementsFor covers journey.* events too (journeyIncrementsFor), so nothing is added twice.
    increments,
    state,
  });
}

/** Every KPI for a period, from its counter items (cumulative ones start at the first month with data). */
export async function kpiReport(store: AggregateStore, period: Period, currency?: string): Promise<Kpis> {
  const months = Object.keys(await store.listCounters('kpi#month#')).sort();
  const first = months[0]?.slice('kpi#month#'.length);
  const periodMonth = period.from.slice(0, 7);
  const since = first && first < periodMonth ? first : periodMonth;
  const counters = await store.getCounters(counterKeysFor(period, since));
  return kpisFrom(counters, period, currency ? { currency } : {});
}

/** Entered, active, converted (with lift against the holdout), exits, nodes, revenue and cost per journey version. */
export async function journeyReport(store: AggregateStore) {
  return journeyReports(await store.listCounters('journey#'));
}
