import type { Render } from '#messaging/send-email.ts';
import type { TemplateCatalog } from '#messaging/template-catalog.ts';
import type { StoredSegment } from '#segments/model.ts';
import { compileJourney } from '#workflows/compile.ts';
import type { Journey } from '#workflows/journey.schema.ts';
import { validateJourney } from '#workflows/validate.ts';
import type { ValidationContext } from '#workflows/violations.ts';
import { createVersionCache, type VersionCache } from './context.ts';
import { JourneyError } from './errors.ts';
import { createMemoryJourneyStore } from './memory-journeys.ts';
import type { JourneySummary } from './model.ts';
import type { JourneyStore } from './store.ts';

/** A journey "deployed" for simulations: validated, compiled and published in memory. */

export interface SimulationDeps {
  templates: TemplateCatalog;
  render: Render;
  settings: { defaultTimeZone: string };
  validationContext: () => Promise<ValidationContext>;
  /** The segments the simulated contact's memberships follow (the stored ones, or a file's). */
  segments?: () => Promise<StoredSegment[]>;
}

/** The function names compiled simulations call. */
export const TARGETS = {
  sendEmail: 'sim:send-email',
  endEnrollment: 'sim:end-enrollment',
  journeyStep: 'sim:journey-step',
} as const;
export const SIM_SETTINGS = {
  from: 'Simulation <simulation@tend.invalid>',
  senderName: 'Simulation',
  publicUrl: 'https://tend.invalid',
  postalAddress: 'Simulation',
  linkSecret: 'simulation-only-link-secret',
};

export interface PreparedJourney {
  journey: Journey;
  journeys: JourneyStore;
  summary: JourneySummary & { live: NonNullable<JourneySummary['live']> };
  definition: ReturnType<typeof compileJourney>['definition'];
  versions: VersionCache;
  segments: StoredSegment[];
}

/** Validates and compiles a document, and "publishes" it into an in-memory journey store. */
export async function prepareJourney(
  deps: Pick<SimulationDeps, 'validationContext' | 'segments'>,
  document: unknown,
): Promise<PreparedJourney> {
  const segments = (await deps.segments?.()) ?? [];
  const context = await deps.validationContext();
  const result = validateJourney(
    document,
    deps.segments ? { ...context, segments: new Set(segments.map((s) => s.id)) } : context,
  );
  if (!result.ok) {
    throw new JourneyError(
      'journey_has_violations',
      `the journey cannot be simulated until these are fixed: ${result.violations.map((v) => v.message).join(' ')}`,
      { details: result.violations },
    );
  }
  const journey = result.journey;
  const compiled = compileJourney(journey, TARGETS);
  const journeys = createMemoryJourneyStore();
  const { reentry, maxEntries, holdoutPercent, timeZone } = journey.settings;
  const summary = {
    journeyId: journey.id,
    name: journey.name,
    status: 'live' as const,
    draftRevision: 0,
    latestVersion: 1,
    live: {
      version: 1,
      versionArn: `sim:${journey.id}:1`,
      triggers: journey.triggers,
      settings: { reentry, ...(maxEntries !== undefined ? { maxEntries } : {}), holdoutPercent, timeZone },
    },
    updatedAt: new Date(0).toISOString(),
    updatedBy: 'simulation',
  };
  await journeys.publishVersion(
    {
      journeyId: journey.id,
      version: 1,
      document: journey,
      definition: JSON.stringify(compiled.definition),
      versionArn: summary.live.versionArn,
      stateMachineArn: `sim:${journey.id}`,
      publishedAt: summary.updatedAt,
      publishedBy: 'simulation',
      diff: [],
      transitions: { min: compiled.paths.minTransitions, max: compiled.paths.maxTransitions },
    },
    summary,
  );
  return {
    journey,
    journeys,
    summary,
    definition: compiled.definition,
    versions: createVersionCache(journeys),
    segments,
  };
}
