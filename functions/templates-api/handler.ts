import { parseOrRefuse } from '#core/parse.ts';
import { MessagingError } from '#messaging/errors.ts';
import { previewRequestSchema, testSendRequestSchema } from '#messaging/template-api.schema.ts';
import { previewTemplate, saveTemplate, testSendTemplate } from '#messaging/templates.ts';
import { builtInCompiled, builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import type { EmailTemplate } from '#messaging/templating/template.schema.ts';
import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, jsonBody } from '#platform/http.ts';
import { sendSettings } from '#platform/send-settings.ts';
import { clock } from '#platform/wiring/clock.ts';
import { mail } from '#platform/wiring/mail-on-demand.ts';
import { store } from '#platform/wiring/store.ts';
import { templates } from '#platform/wiring/templates.ts';

/**
 * Compiling loads MJML (about 4 MB) with the shipped layouts and partials: only a save needs it,
 * so it is imported then, a chunk of its own that cold start never loads.
 */
const compile = async (template: EmailTemplate) =>
  (await import('#messaging/templating/compile-built-ins.ts')).compileWithBuiltIns(template);

/** A shipped template's source, for reading it; the sources are a chunk loaded on that route only. */
const shippedSource = async (id: string) =>
  (await import('#messaging/templating/built-ins.ts')).loadBuiltInTemplates().templates.find((t) => t.id === id);

const deps = { store, templates, compile, render: renderCompiled, clock };

/** /api/templates: list, read, save (compiled and checked first), preview and test-send. */
export const handler = apiLambda(async (event, caller) => {
  const id = event.pathParameters?.id ?? '';
  switch (event.routeKey) {
    case 'GET /api/templates': {
      const saved = await store.listTemplates();
      const savedIds = new Set(saved.map((t) => t.id));
      const shipped = [...builtInTemplateIds].filter((t) => !savedIds.has(t)).map((t) => ({ id: t, builtIn: true }));
      return json(200, { templates: [...saved, ...shipped] });
    }
    case 'GET /api/templates/{id}': {
      const saved = await store.getTemplate(id);
      if (saved) return json(200, saved);
      const shipped = await shippedSource(id);
      if (!shipped) throw new MessagingError('template_not_found', `no template "${id}"`);
      return json(200, { id, version: 0, builtIn: true, source: shipped, compiled: await builtInCompiled(id) });
    }
    case 'GET /api/templates/{id}/versions':
      return json(200, { versions: await store.listTemplateVersions(id) });
    case 'PUT /api/templates/{id}': {
      const saved = await saveTemplate(deps, id, jsonBody(event), callerName(caller));
      return json(200, { id: saved.id, version: saved.version, savedAt: saved.savedAt });
    }
    case 'POST /api/templates/{id}/preview': {
      const req = parseOrRefuse(previewRequestSchema, jsonBody(event), 'the preview request');
      return json(200, await previewTemplate({ ...deps, settings: await sendSettings() }, id, req));
    }
    case 'POST /api/templates/{id}/test-send': {
      const { to, ...req } = parseOrRefuse(testSendRequestSchema, jsonBody(event), 'the test send');
      return json(202, await testSendTemplate({ ...deps, mail, settings: await sendSettings() }, id, to, req));
    }
    default:
      throw new PlatformError('not_found', `no route ${event.routeKey}`);
  }
});
