import { finishImport, importReport, importRows, startImport } from '#contacts/imports.ts';
import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, jsonBody, limitBody } from '#platform/http.ts';
import { logger } from '#platform/observability.ts';
import { clock } from '#platform/wiring/clock.ts';
import { erasedAddresses } from '#platform/wiring/privacy.ts';
import { store } from '#platform/wiring/store.ts';
import { parseApiKey } from '#sources/api-key.ts';
import { authenticateKey } from '#sources/api-keys.ts';

/** 1,000 rows of a wide export stay well under this. */
const MAX_ROWS_BODY_BYTES = 5 * 1024 * 1024;
const deps = { store, clock, erased: erasedAddresses };

/** /api/imports: start an import, send rows in batches, finish it, read its report. */
export const handler = apiLambda(
  async (event, caller) => {
    limitBody(event, MAX_ROWS_BODY_BYTES);
    const who = callerName(caller);
    const id = event.pathParameters?.id ?? '';
    switch (event.routeKey) {
      case 'POST /api/imports':
        return json(201, { import: await startImport(deps, jsonBody(event), who) });
      case 'POST /api/imports/{id}/rows': {
        const result = await importRows(deps, id, jsonBody(event));
        logger.info('import batch applied', { importId: id, ...result.counts, counted: result.counted });
        return json(200, result);
      }
      case 'POST /api/imports/{id}/complete':
        return json(200, await finishImport(deps, id));
      case 'GET /api/imports/{id}':
        return json(200, await importReport(deps, id));
      default:
        throw new PlatformError('no_route', `no route ${event.routeKey}`);
    }
  },
  // Or an API key with the contacts:import scope, for a nightly sync from another system.
  {
    apiKey: async (token) =>
      parseApiKey(token) ? (await authenticateKey(deps, `Bearer ${token}`, 'contacts:import')).keyId : undefined,
  },
);
