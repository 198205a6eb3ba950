import { existsSync } from 'node:fs';
import { TOPICS } from '#contacts/consent.ts';
import { backtestRequestSchema, simulateRequestSchema } from '#journeys/api.schema.ts';
import { type BacktestReport, runBacktest, runSimulation } from '#journeys/backtest.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { compileJourney } from '#workflows/compile.ts';
import { GOLDEN_TARGETS } from '#workflows/golden.ts';
import { validateJourney } from '#workflows/validate.ts';
import type { Violation } from '#workflows/violations.ts';
import { fileSource } from './events-file.ts';
import { type ApiClient, readJson } from './http.ts';
import { offline, offlineDeps, parse, toIso, warnUnknownSegments } from './journeys-offline.ts';
import { formatBacktest, formatPaths, printViolations } from './journeys-output.ts';
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
 * `tend journeys ...`. validate, simulate and backtest run offline on a file (no server: the
 * built-in templates and topics are what exists); given a journey id they ask the API instead,
 * which knows the deployment's templates, endpoints and stored events.
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
