import type { TimelineEvent } from '#core/contact.ts';
import type { CounterIncrement, Counters } from './counters.ts';
import { JOURNEY_STEP_USAGE, type PriceTable, type StepUsageEstimate, US_EAST_1_PRICES } from './prices.ts';

/**
 * Per journey version funnel, results and cost, kept as one counter item per version:
 * key `journey#<journeyId>#v<version>`, fields (missing = 0):
 * - `entered` (every `journey.entered`, holdout included), `holdout` (entered with `holdout`),
 * - `exited` and `exited_<reason>` (treated `journey.exited`), `exited_holdout` (an exit flagged holdout),
 * - `converted` / `converted_holdout`, `revenue_<CUR>` / `revenue_holdout_<CUR>` (minor units,
 *   from `journey.converted` revenue, which is recorded only within the conversion window),
 * - `repaired` and `repaired_<action>` (`journey.repaired`: started, restarted or closed by the repair sweep),
 * - `node_<nodeId>`: one per (enrollment, node) visit, from {@link visitIncrements},
 * - `transitions`, `invocations`, `emails`: usage, from {@link usageIncrements}.
 */

export const journeyKey = (journeyId: string, version: number): string => `journey#${journeyId}#v${version}`;

/** The increments of a `journey.*` timeline event (none for other events or incomplete data). */
export function journeyIncrementsFor(event: TimelineEvent): CounterIncrement[] {
  const { journeyId, journeyVersion, holdout } = event.data;
  if (typeof journeyId !== 'string' || typeof journeyVersion !== 'number') return [];
  const key = journeyKey(journeyId, journeyVersion);
  const add = (field: string, by = 1): CounterIncrement => ({ key, field, by });
  switch (event.name) {
    case 'journey.entered':
      return holdout === true ? [add('entered'), add('holdout')] : [add('entered')];
    case 'journey.exited': {
      if (holdout === true) return [add('exited_holdout')];
      const reason = typeof event.data.reason === 'string' ? event.data.reason : String(event.data.status ?? 'unknown');
      return [add('exited'), add(`exited_${reason}`)];
    }
    case 'journey.repaired': {
      const action = typeof event.data.action === 'string' ? event.data.action : 'unknown';
      return [add('repaired'), add(`repaired_${action}`)];
    }
    case 'journey.converted': {
      const prefix = holdout === true ? 'holdout_' : '';
      const out = [add(holdout === true ? 'converted_holdout' : 'converted')];
      const revenue = event.data.revenue as { amountMinor?: unknown; currency?: unknown } | undefined;
      if (revenue && typeof revenue.amountMinor === 'number' && typeof revenue.currency === 'string')
        out.push(add(`revenue_${prefix}${revenue.currency}`, revenue.amountMinor));
      return out;
    }
    default:
      return [];
  }
}

/** One (enrollment, node) visit; the app records it once per visit (e.g. keyed by enrollment and node). */
export interface NodeVisit {
  journeyId: string;
  version: number;
  nodeId: string;
}

export function visitIncrements(visit: NodeVisit): CounterIncrement[] {
  return [{ key: journeyKey(visit.journeyId, visit.version), field: `node_${visit.nodeId}`, by: 1 }];
}

/** Usage the app counts for a journey version: state transitions, journey-step invocations, emails sent. */
export interface JourneyUsage {
  journeyId: string;
  version: number;
  transitions?: number;
  invocations?: number;
  emails?: number;
}

export function usageIncrements(usage: JourneyUsage): CounterIncrement[] {
  const key = journeyKey(usage.journeyId, usage.version);
  return (['transitions', 'invocations', 'emails'] as const)
    .filter((field) => (usage[field] ?? 0) !== 0)
    .map((field) => ({ key, field, by: usage[field] ?? 0 }));
}

export interface JourneyCost {
  /** USD, each part `units × price` from the price table. */
  stepFunctions: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoDbWrites: number;
  dynamoDbReads: number;
  ses: number;
  total: number;
}

export interface JourneyReport {
  journeyId: string;
  version: number;
  /** Every entry, holdout included. */
  entered: number;
  /** Entries kept out as the control group (no execution runs). */
  holdout: number;
  /** entered − holdout. */
  treated: number;
  /** Treated enrollments not yet exited: treated − exited (holdout enrollments never run, so are never active). */
  active: number;
  exited: number;
  exitedByReason: Record<string, number>;
  /** Enrollments the repair sweep found stranded and started, restarted or closed, by what it did. */
  repaired: number;
  repairedByAction: Record<string, number>;
  converted: { treated: number; holdout: number };
  /** converted.treated / treated, and converted.holdout / holdout; null when the group is empty. */
  conversionRate: { treated: number | null; holdout: number | null };
  /** treated rate − holdout rate, and that difference / holdout rate; null when a rate is missing (or the holdout rate is 0, for relative). */
  lift: { absolute: number | null; relative: number | null };
  /** Revenue carried by treated conversions within the conversion window, per currency (minor units). */
  revenue: Record<string, number>;
  /** The same for holdout conversions, for comparison. */
  holdoutRevenue: Record<string, number>;
  /** Visits per node id. */
  nodes: Record<string, number>;
  usage: { transitions: number; invocations: number; emails: number };
  cost: JourneyCost;
}

/**
 * Cost of a journey's usage. Lambda duration and DynamoDB requests are not measured per call, so
 * each invocation is charged the {@link StepUsageEstimate} (memory × seconds, read and write units).
 */
export function journeyCost(
  usage: { transitions: number; invocations: number; emails: number },
  prices: PriceTable = US_EAST_1_PRICES,
  step: StepUsageEstimate = JOURNEY_STEP_USAGE,
): JourneyCost {
  const parts = {
    stepFunctions: usage.transitions * prices.stepFunctionsPerTransition,
    lambdaRequests: usage.invocations * prices.lambdaPerRequest,
    lambdaDuration: usage.invocations * step.memoryGb * step.secondsPerInvocation * prices.lambdaPerGbSecond,
    dynamoDbWrites: usage.invocations * step.writeUnitsPerInvocation * prices.dynamoDbPerWriteRequestUnit,
    dynamoDbReads: usage.invocations * step.readUnitsPerInvocation * prices.dynamoDbPerReadRequestUnit,
    ses: usage.emails * prices.sesPerEmail,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { ...parts, total };
}

/** The report of one journey version from its counter item. */
export function journeyReport(
  journeyId: string,
  version: number,
  fields: Record<string, number>,
  prices: PriceTable = US_EAST_1_PRICES,
  step: StepUsageEstimate = JOURNEY_STEP_USAGE,
): JourneyReport {
  const get = (field: string) => fields[field] ?? 0;
  const entered = get('entered');
  const holdout = get('holdout');
  const treated = entered - holdout;
  const exited = get('exited');
  const exitedByReason: Record<string, number> = {};
  const revenue: Record<string, number> = {};
  const holdoutRevenue: Record<string, number> = {};
  const nodes: Record<string, number> = {};
  const repairedByAction: Record<string, number> = {};
  for (const [field, value] of Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (field.startsWith('node_')) nodes[field.slice(5)] = value;
    else if (/^revenue_holdout_[A-Z]{3}$/.test(field)) holdoutRevenue[field.slice(16)] = value;
    else if (/^revenue_[A-Z]{3}$/.test(field)) revenue[field.slice(8)] = value;
    else if (field.startsWith('exited_') && field !== 'exited_holdout') exitedByReason[field.slice(7)] = value;
    else if (field.startsWith('repaired_')) repairedByAction[field.slice(9)] = value;
  }
  const converted = { treated: get('converted'), holdout: get('converted_holdout') };
  const conversionRate = {
    treated: treated > 0 ? converted.treated / treated : null,
    holdout: holdout > 0 ? converted.holdout / holdout : null,
  };
  const absolute =
    conversionRate.treated !== null && conversionRate.holdout !== null
      ? conversionRate.treated - conversionRate.holdout
      : null;
  const relative = absolute !== null && conversionRate.holdout ? absolute / conversionRate.holdout : null;
  const usage = { transitions: get('transitions'), invocations: get('invocations'), emails: get('emails') };
  return {
    journeyId,
    version,
    entered,
    holdout,
    treated,
    active: Math.max(0, treated - exited),
    exited,
    exitedByReason,
    repaired: get('repaired'),
    repairedByAction,
    converted,
    conversionRate,
    lift: { absolute, relative },
    revenue,
    holdoutRevenue,
    nodes,
    usage,
    cost: journeyCost(usage, prices, step),
  };
}

/** Reports for every `journey#…` item among the counters, ordered by journey id then version. */
export function journeyReports(
  counters: Counters,
  prices: PriceTable = US_EAST_1_PRICES,
  step: StepUsageEstimate = JOURNEY_STEP_USAGE,
): JourneyReport[] {
  const reports: JourneyReport[] = [];
  for (const [key, fields] of Object.entries(counters)) {
    const match = /^journey#(.+)#v(\d+)$/.exec(key);
    if (match?.[1] && match[2]) reports.push(journeyReport(match[1], Number(match[2]), fields, prices, step));
  }
  return reports.sort((a, b) =>
    a.journeyId === b.journeyId ? a.version - b.version : a.journeyId < b.journeyId ? -1 : 1,
  );
}
