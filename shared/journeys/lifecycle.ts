import type { Clock } from '#core/clock.ts';
import { type CompileTargets, compileJourney } from '#workflows/compile.ts';
import { diffJourneys } from '#workflows/diff.ts';
import { type Journey, journeySchema } from '#workflows/journey.schema.ts';
import { BUILT_IN_JOURNEYS, isBuiltInJourney } from '#workflows/journeys/index.ts';
import type { PathReport } from '#workflows/paths.ts';
import { validateJourney } from '#workflows/validate.ts';
import type { ValidationContext, Violation } from '#workflows/violations.ts';
import { JourneyError } from './errors.ts';
import type { JourneyStatus, JourneySummary, JourneyVersion } from './model.ts';
import type { JourneyRuntime, JourneyStore } from './store.ts';

/**
 * The journey lifecycle: draft → validate → publish → pause → archive. Publishing compiles the
 * draft, makes a new Step Functions version behind the `live` alias and keeps the version with
 * who published it, when, and a readable diff from the previous one. Contacts inside finish on
 * the version they entered; pausing and archiving only stop new entries.
 */

export interface JourneyServiceDeps {
  store: JourneyStore;
  runtime: JourneyRuntime;
  clock: Clock;
  targets: CompileTargets;
  /** Templates, topics and endpoints that exist now (publishing checks against them). */
  validationContext: () => Promise<ValidationContext>;
}

export interface JourneyListItem {
  journeyId: string;
  name: string;
  status: JourneyStatus | 'available';
  builtIn: boolean;
  liveVersion?: number;
  latestVersion: number;
  draftRevision: number;
  updatedAt?: string;
}

export interface ValidationReport {
  ok: boolean;
  violations: Violation[];
  /** What each path costs in state transitions (only when the journey compiles). */
  paths?: PathReport;
}

/** Every saved journey, plus the built-ins nobody has saved or published yet (status "available"). */
export async function listJourneys(deps: Pick<JourneyServiceDeps, 'store'>): Promise<JourneyListItem[]> {
  const saved = await deps.store.listJourneys();
  const items: JourneyListItem[] = saved.map((s) => ({
    journeyId: s.journeyId,
    name: s.name,
    status: s.status,
    builtIn: isBuiltInJourney(s.journeyId),
    ...(s.live ? { liveVersion: s.live.version } : {}),
    latestVersion: s.latestVersion,
    draftRevision: s.draftRevision,
    updatedAt: s.updatedAt,
  }));
  for (const [id, doc] of Object.entries(BUILT_IN_JOURNEYS)) {
    if (!saved.some((s) => s.journeyId === id)) {
      items.push({
        journeyId: id,
        name: doc.name,
        status: 'available',
        builtIn: true,
        latestVersion: 0,
        draftRevision: 0,
      });
    }
  }
  return items.sort((a, b) => a.journeyId.localeCompare(b.journeyId));
}

/** The working copy: the saved draft, else the latest published version, else the built-in document. */
export async function currentDraft(
  deps: Pick<JourneyServiceDeps, 'store'>,
  journeyId: string,
): Promise<{ document: Journey; revision: number; source: 'draft' | 'version' | 'built-in' } | undefined> {
  const draft = await deps.store.getDraft(journeyId);
  if (draft) return { document: draft.document, revision: draft.revision, source: 'draft' };
  const summary = await deps.store.getJourney(journeyId);
  if (summary && summary.latestVersion > 0) {
    const version = await deps.store.getVersion(journeyId, summary.latestVersion);
    if (version) return { document: version.document, revision: 0, source: 'version' };
  }
  if (isBuiltInJourney(journeyId)) {
    return { document: journeySchema.parse(BUILT_IN_JOURNEYS[journeyId]), revision: 0, source: 'built-in' };
  }
  return undefined;
}

export async function getJourney(deps: JourneyServiceDeps, journeyId: string) {
  const summary = await deps.store.getJourney(journeyId);
  const draft = await currentDraft(deps, journeyId);
  if (!summary && !draft) throw new JourneyError('journey_not_found', `no journey "${journeyId}"`);
  const live = summary?.live ? await deps.store.getVersion(journeyId, summary.live.version) : undefined;
  const report = draft ? await validateDocument(deps, draft.document) : undefined;
  return {
    journeyId,
    status: summary?.status ?? 'available',
    summary: summary ?? null,
    draft: draft ? { ...draft, violations: report?.violations ?? [] } : null,
    live: live
      ? { version: live.version, document: live.document, publishedAt: live.publishedAt, publishedBy: live.publishedBy }
      : null,
  };
}

/** Checks a document against the schema, the graph rules and what exists now; compiles it to count transitions. */
export async function validateDocument(deps: JourneyServiceDeps, document: unknown): Promise<ValidationReport> {
  const result = validateJourney(document, await deps.validationContext());
  if (!result.ok) return { ok: false, violations: result.violations };
  return { ok: true, violations: [], paths: compileJourney(result.journey, deps.targets).paths };
}

/**
 * Saves a new draft revision. The document must match the schema (`invalid_journey` otherwise,
 * with every problem and its path); other violations are reported but do not block saving a
 * draft, only publishing it. `expectedRevision`, when given, guards against overwriting
 * someone's save.
 */
export async function saveDraft(
  deps: JourneyServiceDeps,
  journeyId: string,
  body: unknown,
  savedBy: string,
  expectedRevision?: number,
): Promise<{ revision: number; violations: Violation[] }> {
  const parsed = journeySchema.safeParse(body);
  if (!parsed.success) {
    const report = validateJourney(body, await deps.validationContext());
    const violations = report.ok ? [] : report.violations;
    throw new JourneyError('invalid_journey', `the journey is invalid: ${violations.map((v) => v.message).join(' ')}`, {
      details: violations,
    });
  }
  if (parsed.data.id !== journeyId) {
    throw new JourneyError(
      'id_mismatch',
      `the document's id "${parsed.data.id}" is not "${journeyId}"; save it under its own id`,
    );
  }
  const summary = await deps.store.getJourney(journeyId);
  if (summary?.status === 'archived') {
    throw new JourneyError(
      'journey_archived',
      `journey "${journeyId}" is archived; save the document under a new id instead`,
    );
  }
  const current = (await deps.store.getDraft(journeyId))?.revision ?? 0;
  if (expectedRevision !== undefined && expectedRevision !== current) {
    throw new JourneyError(
      'revision_conflict',
      `the draft is at revision ${current}, not ${expectedRevision}; reload it and save again`,
    );
  }
  const revision = current + 1;
  const saved = await deps.store.saveDraft(
    { journeyId, revision, document: parsed.data, savedAt: deps.clock.now().toISOString(), savedBy },
    parsed.data.name,
  );
  if (saved === 'conflict')
    throw new JourneyError(
      'revision_conflict',
      `journey "${journeyId}" was saved by someone else meanwhile; reload and retry`,
    );
  const report = await validateDocument(deps, parsed.data);
  return { revision, violations: report.violations };
}

/**
 * Publishes the working copy as the next version and makes it live. Refused
 * (`journey_has_violations`) with every violation when it does not validate; nothing is written
 * then.
 */
export async function publishJourney(
  deps: JourneyServiceDeps,
  journeyId: string,
  publishedBy: string,
): Promise<JourneyVersion> {
  const draft = await currentDraft(deps, journeyId);
  if (!draft) throw new JourneyError('journey_not_found', `no journey "${journeyId}"`);
  const summary = await deps.store.getJourney(journeyId);
  if (summary?.status === 'archived') {
    throw new JourneyError(
      'journey_archived',
      `journey "${journeyId}" is archived and cannot be published again; save it under a new id`,
    );
  }
  const result = validateJourney(draft.document, await deps.validationContext());
  if (!result.ok) {
    throw new JourneyError(
      'journey_has_violations',
      `journey "${journeyId}" cannot be published until these are fixed: ${result.violations.map((v) => v.message).join(' ')}`,
      { details: result.violations },
    );
  }
  const journey = result.journey;
  const compiled = compileJourney(journey, deps.targets);
  const previous =
    summary && summary.latestVersion > 0 ? await deps.store.getVersion(journeyId, summary.latestVersion) : undefined;
  const number = (summary?.latestVersion ?? 0) + 1;
  const now = deps.clock.now().toISOString();
  const machine = await deps.runtime.publish(
    journeyId,
    JSON.stringify(compiled.definition),
    `v${number} by ${publishedBy}`,
  );
  const version: JourneyVersion = {
    journeyId,
    version: number,
    document: journey,
    definition: JSON.stringify(compiled.definition),
    versionArn: machine.versionArn,
    stateMachineArn: machine.stateMachineArn,
    publishedAt: now,
    publishedBy,
    diff: diffJourneys(previous?.document, journey),
    transitions: { min: compiled.paths.minTransitions, max: compiled.paths.maxTransitions },
  };
  const { reentry, maxEntries, holdoutPercent, timeZone } = journey.settings;
  const next: JourneySummary = {
    journeyId,
    name: journey.name,
    status: 'live',
    draftRevision: summary?.draftRevision ?? 0,
    latestVersion: number,
    live: {
      version: number,
      versionArn: machine.versionArn,
      triggers: journey.triggers,
      settings: { reentry, ...(maxEntries !== undefined ? { maxEntries } : {}), holdoutPercent, timeZone },
    },
    stateMachineArn: machine.stateMachineArn,
    aliasArn: machine.aliasArn,
    updatedAt: now,
    updatedBy: publishedBy,
  };
  if ((await deps.store.publishVersion(version, next)) === 'conflict') {
    throw new JourneyError(
      'version_conflict',
      `journey "${journeyId}" was published by someone else meanwhile; check its history`,
    );
  }
  return version;
}

const TRANSITIONS: Record<'pause' | 'resume' | 'archive', { from: JourneyStatus[]; to: JourneyStatus }> = {
  pause: { from: ['live'], to: 'paused' },
  resume: { from: ['paused'], to: 'live' },
  archive: { from: ['draft', 'live', 'paused'], to: 'archived' },
};

/**
 * Pause (no new entries; contacts inside go on), resume, or archive (for good). Nobody inside
 * is stranded: their executions run to the end on their version.
 */
export async function changeStatus(
  deps: Pick<JourneyServiceDeps, 'store' | 'clock'>,
  journeyId: string,
  action: keyof typeof TRANSITIONS,
  by: string,
): Promise<JourneySummary> {
  const summary = await deps.store.getJourney(journeyId);
  if (!summary) throw new JourneyError('journey_not_found', `no saved or published journey "${journeyId}"`);
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(summary.status)) {
    throw new JourneyError(
      'illegal_transition',
      `journey "${journeyId}" is ${summary.status}; it can ${action} only when ${rule.from.join(' or ')}`,
    );
  }
  const at = deps.clock.now().toISOString();
  await deps.store.setJourneyStatus(journeyId, rule.to, at, by);
  return { ...summary, status: rule.to, updatedAt: at, updatedBy: by };
}

/** Every published version, newest first, with its diff. */
export async function journeyHistory(deps: Pick<JourneyServiceDeps, 'store'>, journeyId: string) {
  const versions = await deps.store.listVersions(journeyId);
  if (versions.length === 0 && !(await deps.store.getJourney(journeyId))) {
    throw new JourneyError('journey_not_found', `no saved or published journey "${journeyId}"`);
  }
  return versions
    .map(({ version, publishedAt, publishedBy, diff, transitions, versionArn }) => ({
      version,
      publishedAt,
      publishedBy,
      diff,
      transitions,
      versionArn,
    }))
    .reverse();
}
