import { httpLambda, json, statusOf } from '#platform/http.ts';
import { store } from '#platform/wiring/store.ts';

/** GET /health — 200 when the table answers, unavailable when it does not. */
export const handler = httpLambda(async () => {
  const started = Date.now();
  try {
    await store.getSource('__health__');
    return json(200, { status: 'ok', services: { table: { status: 'ok', ms: Date.now() - started } } });
  } catch (error) {
    return json(statusOf('unavailable'), {
      status: 'degraded',
      services: { table: { status: 'down', error: String(error) } },
    });
  }
});
