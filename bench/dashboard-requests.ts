/** The requests the dashboard benchmark times, per page, each with what its response must hold. */

import { overviewData } from '#dashboard/server/data.ts';
import { journeyReport } from '#reports/aggregates.ts';
import { BUILT_IN_JOURNEY_IDS } from '#workflows/journeys/index.ts';
import type { LoadedShop } from './dashboard-load.ts';
import type { Call, Check } from './dashboard-protocol.ts';
import { SHOP_JOURNEYS } from './dashboard-shop-catalog.ts';

/** What is measured: each page's data request (and, for scale, one page shell). */
export const PAGES = [
  { key: 'overview', label: 'overview', request: 'overview (30 days, the default)' },
  { key: 'overview-180', label: 'overview, 180 days', request: 'overview?days=180' },
  { key: 'journeys', label: 'journeys', request: 'journeys' },
  { key: 'journey', label: 'journey', request: 'journey?id=<each journey in turn>' },
  { key: 'contact', label: 'contact', request: 'contact?email=<sampled contacts in turn>' },
  { key: 'power', label: 'contact (the power contact)', request: 'contact?email=<the power contact>' },
  { key: 'segments', label: 'segments', request: 'segments' },
  { key: 'segment', label: 'segment', request: 'segment?id=<each segment in turn>' },
  { key: 'shell', label: 'page shell (HTML)', request: 'GET /dashboard/overview' },
  { key: 'get-item', label: 'floor: one GetItem', request: 'a counter item, consistent, no handler' },
  { key: 'batch-get', label: 'floor: one BatchGetItem', request: '100 day counter items, no handler' },
] as const;
export type PageKey = (typeof PAGES)[number]['key'];

/** JSON's view of a value: what a response body can be compared with. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Builds the requests for one shop, each with what its response must hold. */
export async function requestsFor(shop: LoadedShop) {
  const reports = asJson(await journeyReport(shop.aggregates));
  const reportsOf = (id: string) =>
    reports.filter((r) => r.journeyId === id).sort((a, b) => b.version - a.version) as unknown[];
  const journeysCheck: Check = {
    kind: 'journeys',
    liveVersions: shop.journeys,
    reports: Object.fromEntries(BUILT_IN_JOURNEY_IDS.map((id) => [id, reportsOf(id)])),
  };
  const segmentIds = Object.keys(shop.members);
  const overviews = new Map<string, unknown>();
  /** Request `k` of a page: the k-th journey, segment or sampled contact, cycling. */
  return async (key: PageKey, k: number): Promise<Call> => {
    const page: Call['page'] = key === 'power' ? 'contact' : key === 'overview-180' ? 'overview' : key;
    switch (key) {
      case 'overview':
      case 'overview-180': {
        const days = key === 'overview' ? 30 : 180;
        const today = new Date().toISOString().slice(0, 10);
        const id = `${today}/${days}`;
        if (!overviews.has(id)) overviews.set(id, asJson(await overviewData(shop.aggregates, today, { days })));
        const check: Check = { kind: 'overview', expected: overviews.get(id) };
        return key === 'overview' ? { page, check } : { page, query: { days: String(days) }, check };
      }
      case 'journeys':
        return { page, check: journeysCheck };
      case 'journey': {
        const id = BUILT_IN_JOURNEY_IDS[k % BUILT_IN_JOURNEY_IDS.length] ?? 'onboarding';
        return {
          page,
          query: { id },
          check: {
            kind: 'journey',
            journeyId: id,
            liveVersion: shop.journeys[id] ?? 0,
            nodes: Object.keys(SHOP_JOURNEYS[id].nodes).length,
            reports: reportsOf(id),
          },
        };
      }
      case 'contact': {
        const c = shop.sample[k % shop.sample.length];
        if (!c) throw new Error('no sampled contact');
        return { page, query: { email: c.email }, check: { kind: 'contact', ...c } };
      }
      case 'power':
        return { page, query: { email: shop.power.email }, check: { kind: 'contact', ...shop.power } };
      case 'segments':
        return { page, check: { kind: 'segments', members: shop.members } };
      case 'segment': {
        const id = segmentIds[k % segmentIds.length] ?? '';
        return { page, query: { id }, check: { kind: 'segment', segmentId: id, members: shop.members[id] ?? 0 } };
      }
      case 'shell':
        return { page, check: { kind: 'shell' } };
      case 'get-item':
        return { page, check: { kind: 'probe', items: 1 } };
      case 'batch-get':
        return { page, check: { kind: 'probe', items: 100 } };
    }
  };
}
