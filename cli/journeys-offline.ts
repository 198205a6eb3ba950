import type { z } from 'zod';
import { TOPICS } from '#contacts/consent.ts';
import { CodedError } from '#core/errors.ts';
import { createTemplateCatalog } from '#messaging/built-in-catalog.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import type { Violation } from '#workflows/violations.ts';
import { printViolations } from './journeys-output.ts';
import { segmentsFromFile } from './segments.ts';

/** The offline side of `tend journeys`: files in, the simulator run here, refusals printed. */

export function toIso(value: string, usage: (message: string) => never): string {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) usage(`"${value}" is not a date`);
  return new Date(time).toISOString();
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) console.error(`tend: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  process.exit(1);
}

/** Runs offline work, printing a refusal (an invalid journey) the way the API client does. */
export async function offline<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CodedError)) throw error;
    console.error(`tend: ${error.message.split(': ')[0]}`);
    printViolations((Array.isArray(error.details) ? error.details : []) as Violation[], '');
    process.exit(1);
  }
}

/** Segment ids a journey document names (triggers and conditions), found anywhere in it. */
function segmentsNamed(document: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if ((v.type === 'segment' || v.kind === 'segment') && typeof v.segment === 'string') found.add(v.segment);
      Object.values(v).forEach(visit);
    }
  };
  visit(document);
  return [...found];
}

/** Offline, segments exist only through --segments: say so rather than silently never entering. */
export function warnUnknownSegments(document: unknown, options: { segments?: string }) {
  const named = segmentsNamed(document);
  if (named.length > 0 && !options.segments) {
    console.error(
      `tend: the journey names segment(s) ${named.map((n) => `"${n}"`).join(', ')}; offline, nobody is in a segment unless you pass --segments <segments.json>`,
    );
  }
}

export const offlineDeps = (options: { segments?: string }, usage: (message: string) => never) => {
  const segments = options.segments ? segmentsFromFile(options.segments, usage) : undefined;
  return {
    templates: createTemplateCatalog(createMemoryStore().store),
    render: renderCompiled,
    settings: { defaultTimeZone: process.env.TEND_DEFAULT_TIME_ZONE ?? 'UTC' },
    validationContext: async () => ({ templates: builtInTemplateIds, topics: new Set(TOPICS.map((t) => t.id)) }),
    ...(segments ? { segments: async () => segments } : {}),
  };
};
