import type { Journey } from '../journey.schema.ts';
import { validateJourney } from '../validate.ts';
import type { ValidationContext } from '../violations.ts';
import abandonedCart from './abandoned-cart.json' with { type: 'json' };
import churnRescue from './churn-rescue.json' with { type: 'json' };
import leadNurture from './lead-nurture.json' with { type: 'json' };
import loyalty from './loyalty.json' with { type: 'json' };
import onboarding from './onboarding.json' with { type: 'json' };

/** The journeys Tend ships, as their JSON documents (acquire, engage, retain, expand). */
export const BUILT_IN_JOURNEYS = {
  onboarding,
  'lead-nurture': leadNurture,
  'abandoned-cart': abandonedCart,
  'churn-rescue': churnRescue,
  loyalty,
} as const satisfies Record<string, unknown>;

export type BuiltInJourneyId = keyof typeof BUILT_IN_JOURNEYS;

export const BUILT_IN_JOURNEY_IDS = Object.keys(BUILT_IN_JOURNEYS) as BuiltInJourneyId[];

export const isBuiltInJourney = (id: string): id is BuiltInJourneyId => Object.hasOwn(BUILT_IN_JOURNEYS, id);

/** Loads and validates a built-in journey, failing loudly if the shipped JSON is invalid. */
export function builtInJourney(id: BuiltInJourneyId, context: ValidationContext | ReadonlySet<string>): Journey {
  const result = validateJourney(BUILT_IN_JOURNEYS[id], context);
  if (!result.ok) {
    throw new Error(`built-in journey ${id} is invalid: ${result.violations.map((v) => v.message).join('; ')}`);
  }
  return result.journey;
}
