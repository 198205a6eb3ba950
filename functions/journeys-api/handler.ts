import { TOPICS } from '#contacts/consent.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { backtestRequestSchema, simulateRequestSchema } from '#journeys/api.schema.ts';
import { JourneyError } from '#journeys/errors.ts';
import {
  changeStatus,
  currentDraft,
  getJourney,
  journeyHistory,
  listJourneys,
  publishJourney,
  saveDraft,
  validateDocument,
} from '#journeys/lifecycle.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { config } from '#platform/config.ts';
import { PlatformError } from '#platform/errors.ts';
import { header, json, jsonBody, limitBody } from '#platform/http.ts';
import { clock } from '#platform/wiring/clock.ts';
import { journeyRuntime, journeyTargets } from '#platform/wiring/journeys.ts';
import { outbound } from '#platform/wiring/outbound.ts';
import { store } from '#platform/wiring/store.ts';
import { templates } from '#platform/wiring/templates.ts';

/** Journey documents are small; simulations carry a timeline. */
const MAX_BODY_BYTES = 512 * 1024;

const validationContext = async () => ({
  templates: new Set([...builtInTemplateIds, ...(await store.listTemplates()).map((t) => t.id)]),
  topics: new Set(TOPICS.map((t) => t.id)),
  endpoints: new Set((await outbound.listEndpoints()).filter((e) => e.status === 'active').map((e) => e.endpointId)),
  segments: new Set((await store.listSegments()).map((s) => s.id)),
});

const deps = { store, runtime: journeyRuntime, clock, targets: journeyTargets, validationContext };

/**
 * Simulations and backtests run the journey on the local Step Functions engine and render its
 * emails: about 400 KB (aws-local-stepfunctions, asl-validator, jsonata, liquidjs) that only
 * those two routes use, imported on the first of them instead of at cold start.
 */
async function simulator() {
  const [backtest, { renderCompiled }] = await Promise.all([
    import('#journeys/backtest.ts'),
    import('#messaging/templating/render.ts'),
  ]);
  const simulation = {
    templates,
    render: renderCompiled,
    settings: { defaultTimeZone: config.TEND_DEFAULT_TIME_ZONE },
    segments: () => store.listSegments(),
    validationContext,
  };
  return { ...backtest, simulation };
}

async function documentFor(id: string, body: { document?: unknown }) {
  if (body.document !== undefined) return body.document;
  const draft = await currentDraft(deps, id);
  if (!draft) throw new JourneyError('journey_not_found', `no journey "${id}"`);
  return draft.document;
}

/**
 * /api/journeys: list, read, save drafts, validate, publish, pause, resume, archive, history,
 * simulate and backtest; /api/tasks: the owner's to-do list; /api/openapi.json: this API.
 */
export const handler = apiLambda(
  async (event, caller) => {
    limitBody(event, MAX_BODY_BYTES);
    const id = event.pathParameters?.id ?? '';
    switch (event.routeKey) {
      case 'GET /api/journeys':
        return json(200, { journeys: await listJourneys(deps) });
      case 'GET /api/journeys/{id}':
        return json(200, await getJourney(deps, id));
      case 'PUT /api/journeys/{id}': {
        const ifMatch = header(event, 'if-match');
        const expected = ifMatch === undefined ? undefined : Number(ifMatch.replace(/"/g, ''));
        const saved = await saveDraft(
          deps,
          id,
          jsonBody(event),
          callerName(caller),
          Number.isInteger(expected) ? expected : undefined,
        );
        return json(200, { journeyId: id, ...saved });
      }
      case 'POST /api/journeys/validate':
        return json(200, await validateDocument(deps, jsonBody(event)));
      case 'POST /api/journeys/{id}/validate': {
        const draft = await currentDraft(deps, id);
        if (!draft) throw new JourneyError('journey_not_found', `no journey "${id}"`);
        return json(200, {
          journeyId: id,
          revision: draft.revision,
          ...(await validateDocument(deps, draft.document)),
        });
      }
      case 'POST /api/journeys/{id}/publish': {
        const version = await publishJourney(deps, id, callerName(caller));
        const { document: _document, definition: _definition, ...rest } = version;
        return json(201, rest);
      }
      case 'POST /api/journeys/{id}/pause':
        return json(200, { journey: await changeStatus(deps, id, 'pause', callerName(caller)) });
      case 'POST /api/journeys/{id}/resume':
        return json(200, { journey: await changeStatus(deps, id, 'resume', callerName(caller)) });
      case 'POST /api/journeys/{id}/archive':
        return json(200, { journey: await changeStatus(deps, id, 'archive', callerName(caller)) });
      case 'GET /api/journeys/{id}/versions':
        return json(200, { versions: await journeyHistory(deps, id) });
      case 'GET /api/journeys/{id}/versions/{version}': {
        const n = Number(event.pathParameters?.version);
        const version = Number.isInteger(n) ? await store.getVersion(id, n) : undefined;
        if (!version) {
          throw new JourneyError(
            'version_not_found',
            `journey "${id}" has no version "${event.pathParameters?.version}"`,
          );
        }
        return json(200, { ...version, definition: JSON.parse(version.definition) });
      }
      case 'POST /api/journeys/{id}/simulate': {
        const request = parseOrRefuse(simulateRequestSchema, jsonBody(event), 'the simulation request');
        const document = await documentFor(id, request);
        const { runSimulation, simulation } = await simulator();
        return json(200, await runSimulation(simulation, document, request));
      }
      case 'POST /api/journeys/{id}/backtest': {
        const request = parseOrRefuse(backtestRequestSchema, jsonBody(event), 'the backtest request');
        const document = await documentFor(id, request);
        const { runBacktest, storeSource, simulation } = await simulator();
        return json(200, await runBacktest({ ...simulation, history: storeSource(store) }, document, request));
      }
      case 'GET /api/tasks': {
        const status = event.queryStringParameters?.status;
        return json(200, { tasks: await store.listTasks(status === 'open' || status === 'done' ? status : undefined) });
      }
      case 'POST /api/tasks/{id}/done': {
        if (!(await store.completeTask(id, clock.now().toISOString()))) {
          throw new JourneyError('task_not_found', `no open task "${id}"`);
        }
        return json(200, { taskId: id, status: 'done' });
      }
      default:
        throw new PlatformError('no_route', `no route ${event.routeKey}`);
    }
  },
  {
    // The whole API's description, loaded on its first request (it is 30 KB this function's
    // other routes do not need at cold start).
    publicRoutes: {
      'GET /api/openapi.json': async () =>
        json(200, (await import('#platform/openapi.ts')).openApiDocument(config.TEND_PUBLIC_URL)),
    },
  },
);
