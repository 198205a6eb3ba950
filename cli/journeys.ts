import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { TOPICS } from '#contacts/consent.ts';
import { propertyValueSchema } from '#core/canonical-event.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { EVENT_NAMES } from '#core/contact.ts';
import { HttpError } from '#core/errors.ts';
import { backtestRequestSchema, simulateRequestSchema } from '#journeys/api.schema.ts';
import { type BacktestReport, type BacktestSource, runBacktest, runSimulation } from '#journeys/backtest.ts';
import { createTemplateCatalog } from '#messaging/built-in-catalog.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { compileJourney } from '#workflows/compile.ts';
import { GOLDEN_TARGETS } from '#workflows/golden.ts';
import { type Violation, validateJourney } from '#workflows/validate.ts';
import { type ApiClient, readJson } from './http.ts';
import { segmentsFromFile } from './segments.ts';

export interface JourneyOptions {
  json: boolean;
  timeline?: string;
  events?: string;
  from?: string;
  to?: string;
  until?: string;
  remote: boolean;
  status?: string;
  /** A file of segments (one or a list) for offline validation and simulation. */
  segments?: string;
}

/**
 * `tend journeys ...` and `tend tasks ...`. validate, simulate and backtest run offline on a
 * file (no server: the built-in templates and topics are what exists); given a journey id they
 * ask the API instead, which knows the deployment's templates, endpoints and stored events.
 */
export async function journeysCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  options: JourneyOptions,
  usage: (message: string) => never,
) {
  const target = () => args[0] ?? usage(`journeys ${command} needs a journey id or a JSON file`);
  const id = (value: string) => encodeURIComponent(value);
  const print = (value: unknown, text: () => string) =>
    console.log(options.json ? JSON.stringify(value, null, 2) : text());
  switch (command) {
    case 'list': {
      const { journeys } = (await api.call('GET', '/api/journeys')) as { journeys: Record<string, unknown>[] };
      print(journeys, () =>
        journeys
          .map(
            (j) =>
              `${String(j.journeyId).padEnd(22)} ${String(j.status).padEnd(10)} ${j.liveVersion ? `live v${j.liveVersion}` : 'not live'.padEnd(9)}  ${j.name}${j.builtIn ? ' (built-in)' : ''}`,
          )
          .join('\n'),
      );
      return;
    }
    case 'show': {
      const out = await api.call('GET', `/api/journeys/${id(target())}`);
      print(out, () => JSON.stringify(out, null, 2));
      return;
    }
    case 'save': {
      const file = target();
      const doc = readJson(file, usage) as { id?: unknown };
      if (typeof doc.id !== 'string') usage(`${file} has no "id"`);
      const out = await api.call('PUT', `/api/journeys/${id(String(doc.id))}`, doc);
      console.log(`saved ${doc.id} draft revision ${out.revision}`);
      printViolations(out.violations as Violation[], 'still to fix before publishing');
      return;
    }
    case 'validate': {
      const arg = target();
      if (existsSync(arg) && !options.remote) {
        const result = validateJourney(readJson(arg, usage), {
          templates: builtInTemplateIds,
          topics: new Set(TOPICS.map((t) => t.id)),
          ...(options.segments
            ? { segments: new Set(segmentsFromFile(options.segments, usage).map((s) => s.id)) }
            : {}),
        });
        if (!result.ok) {
          printViolations(result.violations, `${arg} is not valid`);
          process.exitCode = 1;
          return;
        }
        const paths = compileJourney(result.journey, GOLDEN_TARGETS).paths;
        print(
          { ok: true, paths },
          () => `${arg} is valid (checked offline against the built-in templates)\n${formatPaths(paths)}`,
        );
        return;
      }
      const out = existsSync(arg)
        ? await api.call('POST', '/api/journeys/validate', readJson(arg, usage))
        : await api.call('POST', `/api/journeys/${id(arg)}/validate`);
      if (!out.ok) {
        printViolations(out.violations as Violation[], `${arg} is not valid`);
        process.exitCode = 1;
        return;
      }
      print(out, () => `${arg} is valid\n${formatPaths(out.paths as never)}`);
      return;
    }
    case 'simulate': {
      const arg = target();
      if (!options.timeline) usage('simulate needs --timeline <file.json>: { "contact": {...}, "timeline": [...] }');
      const scenario = readJson(options.timeline as string, usage) as Record<string, unknown>;
      const body = {
        ...scenario,
        ...(options.until ? { until: options.until } : {}),
        ...(options.from ? { from: options.from } : {}),
      };
      if (existsSync(arg) && !options.remote) warnUnknownSegments(readJson(arg, usage), options);
      const out =
        existsSync(arg) && !options.remote
          ? await offline(() =>
              runSimulation(offlineDeps(options, usage), readJson(arg, usage), parse(simulateRequestSchema, body)),
            )
          : await api.call(
              'POST',
              `/api/journeys/${id(arg)}/simulate`,
              existsSync(arg) ? { ...body, document: readJson(arg, usage) } : body,
            );
      print(out, () => (out.lines as string[]).join('\n'));
      if ((out.failures as unknown[]).length > 0) process.exitCode = 1;
      return;
    }
    case 'backtest': {
      const arg = target();
      if (!options.from || !options.to) usage('backtest needs --from and --to (ISO dates)');
      const request = { from: toIso(options.from as string, usage), to: toIso(options.to as string, usage) };
      let report: BacktestReport;
      if (options.events) {
        if (!existsSync(arg)) usage('with --events, give the journey as a JSON file');
        warnUnknownSegments(readJson(arg, usage), options);
        const source = fileSource(options.events);
        report = await offline(() =>
          runBacktest(
            { ...offlineDeps(options, usage), history: source },
            readJson(arg, usage),
            parse(backtestRequestSchema, request),
          ),
        );
      } else {
        report = (await api.call(
          'POST',
          `/api/journeys/${id(existsSync(arg) ? String((readJson(arg, usage) as { id?: unknown }).id) : arg)}/backtest`,
          existsSync(arg) ? { ...request, document: readJson(arg, usage) } : request,
        )) as unknown as BacktestReport;
      }
      print(report, () => formatBacktest(report));
      return;
    }
    case 'publish': {
      const arg = target();
      let journeyId = arg;
      if (existsSync(arg)) {
        const doc = readJson(arg, usage) as { id?: unknown };
        if (typeof doc.id !== 'string') usage(`${arg} has no "id"`);
        journeyId = String(doc.id);
        await api.call('PUT', `/api/journeys/${id(journeyId)}`, doc);
      }
      const out = await api.call('POST', `/api/journeys/${id(journeyId)}/publish`);
      print(
        out,
        () =>
          `published ${journeyId} version ${out.version}; new contacts enter it, contacts inside finish on theirs\n${(out.diff as string[]).map((l) => `  ${l}`).join('\n')}`,
      );
      return;
    }
    case 'pause':
    case 'resume':
    case 'archive': {
      const journeyId = target();
      const out = (await api.call('POST', `/api/journeys/${id(journeyId)}/${command}`)) as {
        journey: { status: string };
      };
      print(
        out,
        () =>
          `${journeyId} is ${out.journey.status}${command === 'resume' ? '' : '; contacts inside go on to the end'}`,
      );
      return;
    }
    case 'history': {
      const journeyId = target();
      const { versions } = (await api.call('GET', `/api/journeys/${id(journeyId)}/versions`)) as {
        versions: {
          version: number;
          publishedAt: string;
          publishedBy: string;
          diff: string[];
          transitions: { min: number; max: number };
        }[];
      };
      print(versions, () =>
        versions.length === 0
          ? `${journeyId} has never been published`
          : versions
              .map(
                (v) =>
                  `v${v.version}  ${v.publishedAt}  by ${v.publishedBy}  (${v.transitions.min}–${v.transitions.max} transitions per enrollment)\n${v.diff.map((l) => `    ${l}`).join('\n')}`,
              )
              .join('\n'),
      );
      return;
    }
    default:
      usage(command ? `unknown journeys command "${command}"` : 'journeys needs a command');
  }
}

/** `tend tasks list|done`: the owner's to-do list from notify-owner steps. */
export async function tasksCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  options: JourneyOptions,
  usage: (message: string) => never,
) {
  switch (command) {
    case 'list': {
      const query = options.status ? `?status=${encodeURIComponent(options.status)}` : '';
      const { tasks } = (await api.call('GET', `/api/tasks${query}`)) as { tasks: Record<string, string>[] };
      if (options.json) console.log(JSON.stringify(tasks, null, 2));
      else
        for (const t of tasks)
          console.log(
            `${t.status === 'open' ? '[ ]' : '[x]'} ${t.taskId}  ${t.createdAt}  ${t.subject}\n      ${String(t.message).replace(/\n/g, '\n      ')}`,
          );
      return;
    }
    case 'done': {
      const taskId = args[0] ?? usage('tasks done needs a task id');
      await api.call('POST', `/api/tasks/${encodeURIComponent(taskId)}/done`);
      console.log(`${taskId} is done`);
      return;
    }
    default:
      usage(command ? `unknown tasks command "${command}"` : 'tasks needs a command');
  }
}

function toIso(value: string, usage: (message: string) => never): string {
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) usage(`"${value}" is not a date`);
  return new Date(time).toISOString();
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) console.error(`tend: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  process.exit(1);
}

/** Runs offline work, printing a refusal (an invalid journey) the way the API client does. */
async function offline<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
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
function warnUnknownSegments(document: unknown, options: JourneyOptions) {
  const named = segmentsNamed(document);
  if (named.length > 0 && !options.segments) {
    console.error(
      `tend: the journey names segment(s) ${named.map((n) => `"${n}"`).join(', ')}; offline, nobody is in a segment unless you pass --segments <segments.json>`,
    );
  }
}

const offlineDeps = (options: JourneyOptions, usage: (message: string) => never) => {
  const segments = options.segments ? segmentsFromFile(options.segments, usage) : undefined;
  return {
    templates: createTemplateCatalog(createMemoryStore().store),
    render: renderCompiled,
    settings: { defaultTimeZone: process.env.TEND_DEFAULT_TIME_ZONE ?? 'UTC' },
    validationContext: async () => ({ templates: builtInTemplateIds, topics: new Set(TOPICS.map((t) => t.id)) }),
    ...(segments ? { segments: async () => segments } : {}),
  };
};

function printViolations(violations: Violation[] | undefined, heading: string) {
  if (!violations || violations.length === 0) return;
  if (heading) console.error(`${heading}:`);
  for (const v of violations) console.error(`  - ${v.path}: ${v.message}`);
}

function formatPaths(paths: {
  paths: { nodes: string[]; transitions: number; choices: string[] }[];
  minTransitions: number;
  maxTransitions: number;
  truncated: boolean;
}): string {
  const lines = [
    `state transitions per enrollment: ${paths.minTransitions} to ${paths.maxTransitions} ($${((paths.maxTransitions * 0.025) / 1000).toFixed(6)} at most on Step Functions Standard)`,
  ];
  for (const p of paths.paths) lines.push(`  ${String(p.transitions).padStart(3)}  ${p.nodes.join(' → ')}`);
  if (paths.truncated) lines.push('  … more paths not listed');
  return lines.join('\n');
}

function formatBacktest(r: BacktestReport): string {
  const money = Object.entries(r.revenue).map(([currency, minor]) => `${(minor / 100).toFixed(2)} ${currency}`);
  const lines = [
    `backtest of ${r.journeyId} from ${r.from} to ${r.to} (${r.durationMs} ms)`,
    `contacts scanned ${r.contactsScanned}${r.truncated ? ' (stopped at the limit)' : ''}, simulated ${r.candidates}`,
    `entered ${r.entered} (holdout ${r.holdout}), converted ${r.conversions}${money.length ? `, revenue ${money.join(', ')}` : ''}`,
    `ended: ${
      Object.entries(r.ended)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }; still active at the end ${r.activeAtEnd}`,
    'contacts per node:',
    ...Object.entries(r.nodes).map(([node, n]) => `  ${node.padEnd(24)} ${n}`),
    'emails:',
    ...Object.entries(r.emails).map(
      ([template, e]) =>
        `  ${template.padEnd(24)} sent ${e.sent}${Object.keys(e.skipped).length ? `, skipped ${JSON.stringify(e.skipped)}` : ''}${Object.keys(e.deferred).length ? `, deferred ${JSON.stringify(e.deferred)}` : ''}`,
    ),
    `owner tasks ${r.tasks}, webhooks ${r.webhooks}, state transitions ${r.transitions} (≈ $${r.estimatedCostUsd.toFixed(4)})`,
  ];
  for (const s of r.samples) lines.push(`example: ${s.contact}`, ...s.lines.map((l) => `  ${l}`));
  for (const f of r.failures) lines.push(`FAILED ${f.contactId} ${f.enrollmentId}: ${f.error}`);
  return lines.join('\n');
}

const eventLineSchema = z
  .object({
    email: z.email(),
    name: z.enum(EVENT_NAMES),
    at: z.iso.datetime({ offset: true }),
    data: z.record(z.string(), z.unknown()).default({}),
    id: z.string().min(1).max(200).optional(),
  })
  .strict();
const contactLineSchema = z
  .object({
    contact: z
      .object({
        email: z.email(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
        timeZone: z.string().optional(),
        locale: z.string().optional(),
        properties: z.record(z.string(), propertyValueSchema).default({}),
        tags: z.array(z.string()).default([]),
        createdAt: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
  })
  .strict();

/**
 * Events from a JSON Lines file, one event (`{ email, name, at, data }`) or contact
 * (`{ contact: { email, properties, ... } }`) per line, grouped by email. A bad line stops with
 * its line number.
 */
export function fileSource(file: string): BacktestSource {
  return {
    async *contacts() {
      const byEmail = new Map<
        string,
        { contact?: z.infer<typeof contactLineSchema>['contact']; events: z.infer<typeof eventLineSchema>[] }
      >();
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      let n = 0;
      for await (const line of lines) {
        n += 1;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new Error(`${file}:${n}: not JSON`);
        }
        const asContact = contactLineSchema.safeParse(value);
        const asEvent = asContact.success ? undefined : eventLineSchema.safeParse(value);
        if (!asContact.success && !asEvent?.success) {
          throw new Error(
            `${file}:${n}: ${asEvent?.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        }
        const email = asContact.success ? asContact.data.contact.email : (asEvent?.data?.email as string);
        const entry = byEmail.get(email) ?? { events: [] };
        if (asContact.success) entry.contact = asContact.data.contact;
        else if (asEvent?.data) entry.events.push(asEvent.data);
        byEmail.set(email, entry);
      }
      for (const [email, entry] of byEmail) {
        const contactId = `c-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`;
        const sorted = entry.events.sort((a, b) => a.at.localeCompare(b.at));
        const createdAt = entry.contact?.createdAt ?? sorted[0]?.at ?? new Date(0).toISOString();
        const { createdAt: _c, properties = {}, tags = [], ...profile } = entry.contact ?? { email };
        const contact: Contact = {
          ...profile,
          email,
          contactId,
          properties,
          tags,
          createdAt,
          updatedAt: createdAt,
          createdBy: `file:${contactId}`,
        };
        const events: TimelineEvent[] = sorted.map((e, i) => ({
          eventId: e.id ?? `${contactId}-${i + 1}`,
          contactId,
          name: e.name,
          at: new Date(e.at).toISOString(),
          // The first event of a contact with no contact line is the one that created it.
          data: { ...e.data, ...(i === 0 && !entry.contact?.createdAt ? { cause: `file:${contactId}` } : {}) },
        }));
        yield { contact, events };
      }
    },
  };
}
