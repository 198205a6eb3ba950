import type { Journey } from '../journey.schema.ts';
import { validateJourney } from '../validate.ts';
import onboardingJson from './onboarding.json' with { type: 'json' };

/** Templates the built-in journeys may send; the template catalogue lives in shared/domain. */
export type BuiltInJourneyId = 'onboarding';

/** Loads and validates a built-in journey, failing loudly if the shipped JSON is invalid. */
export function builtInJourney(id: BuiltInJourneyId, knownTemplates: ReadonlySet<string>): Journey {
  const raw = { onboarding: onboardingJson }[id];
  const result = validateJourney(raw, knownTemplates);
  if (!result.ok) {
    throw new Error(`built-in journey ${id} is invalid: ${result.violations.map((v) => v.message).join('; ')}`);
  }
  return result.journey;
}
