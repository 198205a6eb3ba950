import * as z from 'zod';
import { emailSchema } from '#domain/email-address.ts';
import { badRequest, notFound } from '#domain/errors.ts';
import { parseOr422 } from '#domain/parse.ts';
import { requireAdmin } from '#runtime/admin.ts';
import { type HttpEvent, httpLambda, json, rawBody } from '#runtime/http.ts';
import { sendSettings } from '#runtime/send-settings.ts';
import { clock } from '#runtime/wiring/clock.ts';
import { mail } from '#runtime/wiring/mail.ts';
import { store } from '#runtime/wiring/store.ts';
import { templates } from '#runtime/wiring/templates.ts';
import { previewTemplate, saveTemplate, testSendTemplate } from '#services/templates.ts';
import { loadBuiltInTemplates } from '#templating/built-ins.ts';
import { compileTemplate } from '#templating/compile.ts';
import { builtInCompiled } from '#templating/compiled-built-ins.ts';
import { renderCompiled } from '#templating/render.ts';

const builtIns = loadBuiltInTemplates();
const library = { layouts: builtIns.layouts, partials: builtIns.partials };
const deps = { store, templates, compile: compileTemplate, library, render: renderCompiled, clock };

const previewSchema = z.object({
  email: emailSchema.optional(),
  locale: z.string().min(2).max(35).optional(),
  sample: z
    .object({ firstName: z.string().optional(), lastName: z.string().optional(), locale: z.string().optional() })
    .optional(),
});
const testSendSchema = previewSchema.extend({ to: emailSchema });

function body(event: HttpEvent): unknown {
  try {
    return JSON.parse(rawBody(event).toString('utf8') || '{}');
  } catch {
    throw badRequest('malformed_json', 'the body is not valid JSON');
  }
}

/** /api/templates: list, read, save (compiled and checked first), preview and test-send. */
export const handler = httpLambda(async (event) => {
  await requireAdmin(event);
  const id = event.pathParameters?.id ?? '';
  switch (event.routeKey) {
    case 'GET /api/templates': {
      const saved = await store.listTemplates();
      const savedIds = new Set(saved.map((t) => t.id));
      const shipped = [...builtInCompiled.keys()]
        .filter((t) => !savedIds.has(t))
        .map((t) => ({ id: t, builtIn: true }));
      return json(200, { templates: [...saved, ...shipped] });
    }
    case 'GET /api/templates/{id}': {
      const saved = await store.getTemplate(id);
      if (saved) return json(200, saved);
      const shipped = builtIns.templates.find((t) => t.id === id);
      if (!shipped) throw notFound('template_not_found', `no template "${id}"`);
      return json(200, { id, version: 0, builtIn: true, source: shipped, compiled: builtInCompiled.get(id) });
    }
    case 'GET /api/templates/{id}/versions':
      return json(200, { versions: await store.listTemplateVersions(id) });
    case 'PUT /api/templates/{id}': {
      const saved = await saveTemplate(deps, id, body(event), 'admin');
      return json(200, { id: saved.id, version: saved.version, savedAt: saved.savedAt });
    }
    case 'POST /api/templates/{id}/preview': {
      const req = parseOr422(previewSchema, body(event), 'the preview request');
      return json(200, await previewTemplate({ ...deps, settings: await sendSettings() }, id, req));
    }
    case 'POST /api/templates/{id}/test-send': {
      const { to, ...req } = parseOr422(testSendSchema, body(event), 'the test send');
      return json(202, await testSendTemplate({ ...deps, mail, settings: await sendSettings() }, id, to, req));
    }
    default:
      throw notFound('not_found', `no route ${event.routeKey}`);
  }
});
