import type { StoredSegment } from '#segments/model.ts';
import { describeSegment, type SegmentViolation, validateSegment } from '#workflows/segments.ts';
import { type ApiClient, readJson } from './http.ts';

export interface SegmentOptions {
  json: boolean;
  limit?: string;
  cursor?: string;
}

/**
 * `tend segments list|show|save|validate|members`. `validate` runs offline on a file; the others
 * go through the API, which keeps memberships and re-evaluates after a rule change.
 */
export async function segmentsCommand(
  api: ApiClient,
  command: string | undefined,
  args: string[],
  options: SegmentOptions,
  usage: (message: string) => never,
) {
  const target = () => args[0] ?? usage(`segments ${command} needs a segment id or file`);
  const id = (value: string) => encodeURIComponent(value);
  switch (command) {
    case 'list': {
      const { segments } = (await api.call('GET', '/api/segments')) as {
        segments: (StoredSegment & { rule: string })[];
      };
      if (options.json) return console.log(JSON.stringify(segments, null, 2));
      if (segments.length === 0) return console.log('no segments yet: save one with `tend segments save <file.json>`');
      for (const s of segments) {
        console.log(`${s.id.padEnd(24)} ${String(s.members).padStart(7)} members  r${s.revision}${progress(s)}`);
        console.log(`  ${s.name}: ${s.rule}`);
      }
      return;
    }
    case 'show': {
      const out = (await api.call('GET', `/api/segments/${id(target())}`)) as unknown as StoredSegment & {
        rule: string;
      };
      if (options.json) return console.log(JSON.stringify(out, null, 2));
      console.log(`${out.name} (${out.id}), revision ${out.revision} by ${out.updatedBy} at ${out.updatedAt}`);
      console.log(`rule: ${out.rule}`);
      console.log(`members: ${out.members}${progress(out)}`);
      return;
    }
    case 'validate': {
      const file = target();
      const raw = readJson(file, usage);
      for (const [i, doc] of (Array.isArray(raw) ? raw : [raw]).entries()) {
        const result = validateSegment(doc);
        const name = Array.isArray(raw) ? `${file} segment ${i + 1}` : file;
        if (!result.ok) {
          printViolations(result.violations, `${name} is not valid`);
          process.exitCode = 1;
        } else console.log(`${name} (${result.segment.id}) is valid: ${describeSegment(result.segment)}`);
      }
      return;
    }
    case 'save': {
      const file = target();
      const raw = readJson(file, usage);
      for (const doc of (Array.isArray(raw) ? raw : [raw]) as { id?: unknown }[]) {
        if (typeof doc?.id !== 'string') usage(`${file}: every segment needs an "id"`);
        const out = await api.call('PUT', `/api/segments/${id(String(doc.id))}`, doc);
        const scope =
          out.scope === 'none'
            ? 'nobody to re-evaluate (the conditions did not change)'
            : out.scope === 'members'
              ? `re-evaluating its ${out.members} current members (the rule only narrowed)`
              : 'evaluating every contact against it';
        console.log(`saved ${doc.id} revision ${out.revision}: ${scope}`);
      }
      return;
    }
    case 'members': {
      const limit = options.limit ?? '50';
      const query = `?limit=${encodeURIComponent(limit)}${options.cursor ? `&cursor=${encodeURIComponent(options.cursor)}` : ''}`;
      const out = (await api.call('GET', `/api/segments/${id(target())}/members${query}`)) as {
        members: { contactId: string; enteredAt: string }[];
        cursor?: string;
      };
      if (options.json) return console.log(JSON.stringify(out, null, 2));
      for (const m of out.members) console.log(`${m.contactId}  since ${m.enteredAt}`);
      if (out.cursor) console.log(`… more: --cursor ${out.cursor}`);
      return;
    }
    default:
      usage(command ? `unknown segments command "${command}"` : 'segments needs a command');
  }
}

const progress = (s: StoredSegment) =>
  s.reevaluation?.status === 'running'
    ? `, re-evaluating ${s.reevaluation.scope === 'members' ? 'members' : 'contacts'} (${s.reevaluation.scanned} so far)`
    : '';

function printViolations(violations: SegmentViolation[], heading: string) {
  console.error(`${heading}:`);
  for (const v of violations) console.error(`  - ${v.path}: ${v.message}`);
}

/** Segment files for offline simulations: one segment or a list, each checked, as if stored. */
export function segmentsFromFile(file: string, usage: (message: string) => never): StoredSegment[] {
  const raw = readJson(file, usage);
  const docs = Array.isArray(raw) ? raw : [raw];
  return docs.map((doc, i) => {
    const result = validateSegment(doc);
    if (!result.ok) {
      printViolations(result.violations, `${file}: segment ${i + 1} is not valid`);
      process.exit(1);
    }
    const at = new Date(0).toISOString();
    return { ...result.segment, revision: 1, createdAt: at, updatedAt: at, updatedBy: file, members: 0 };
  });
}
