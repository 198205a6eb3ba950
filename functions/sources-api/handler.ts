import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { config } from '#platform/config.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, jsonBody, limitBody } from '#platform/http.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { clock } from '#platform/wiring/clock.ts';
import { secretBox } from '#platform/wiring/secret-box.ts';
import { store } from '#platform/wiring/store.ts';
import { sourceCounterKey } from '#reports/aggregates.ts';
import { SourceError } from '#sources/errors.ts';
import type { Source } from '#sources/model.ts';
import {
  createSource,
  findSource,
  rotateSource,
  setSourceStatus,
  sourceSummary,
  withDeliveryCounts,
} from '#sources/sources.ts';

const deps = { store, secretBox, clock };

/** The sources as the API shows them: secrets reduced to their dates, delivery counts added up. */
async function summaries(sources: Source[]) {
  const counters = await aggregates.getCounters(sources.map((s) => sourceCounterKey(s.sourceId)));
  return sources.map((s) =>
    sourceSummary(withDeliveryCounts(s, counters[sourceCounterKey(s.sourceId)]), config.TEND_PUBLIC_URL),
  );
}
const summary = async (source: Source) => (await summaries([source]))[0];

/** Room for a secret and settings such as a Typeform field map; beyond this is refused before any work. */
const MAX_BODY_BYTES = 64 * 1024;

/** /api/sources: create, list, read, rotate, disable and enable webhook sources. */
export const handler = apiLambda(async (event, caller) => {
  limitBody(event, MAX_BODY_BYTES);
  const id = event.pathParameters?.id ?? '';
  switch (event.routeKey) {
    case 'GET /api/sources':
      return json(200, { sources: await summaries(await store.listSources()) });
    case 'POST /api/sources': {
      const { source, secret } = await createSource(deps, jsonBody(event), callerName(caller));
      return json(201, { source: await summary(source), ...(secret ? { secret } : {}) });
    }
    case 'GET /api/sources/{id}': {
      const source = await findSource(deps, id);
      if (!source) throw new SourceError('unknown_source', `no source "${id}"`);
      return json(200, { source: await summary(source) });
    }
    case 'POST /api/sources/{id}/rotate': {
      const { source, secret } = await rotateSource(deps, id, jsonBody(event));
      return json(200, { source: await summary(source), ...(secret ? { secret } : {}) });
    }
    case 'POST /api/sources/{id}/disable':
      return json(200, { source: await summary(await setSourceStatus(deps, id, 'disabled')) });
    case 'POST /api/sources/{id}/enable':
      return json(200, { source: await summary(await setSourceStatus(deps, id, 'active')) });
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
