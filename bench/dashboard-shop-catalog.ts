/** What the dashboard benchmark's shop sells and runs: its customers' names, its products and journeys. */

import { type Journey, journeySchema } from '#workflows/journey.schema.ts';
import { BUILT_IN_JOURNEYS, type BuiltInJourneyId } from '#workflows/journeys/index.ts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const SHOP_DAYS = 180;
export const SOURCE = 'demo-form';

export const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Ken',
  'Margaret',
  'Linus',
  'Radia',
  'Tim',
  'Frances',
];
export const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Thompson',
  'Hamilton',
  'Torvalds',
  'Perlman',
];
export const CITIES = ['Lyon', 'Leeds', 'Porto', 'Gent', 'Graz', 'Turku', 'Bilbao'];
export const PRODUCTS = [
  { name: 'Linen throw', price: 8900 },
  { name: 'Oak serving tray', price: 4500 },
  { name: 'Stoneware mug set', price: 3200 },
  { name: 'Wool rug', price: 24_900 },
  { name: 'Ceramic vase', price: 5900 },
  { name: 'Cotton towels', price: 2900 },
];

/** Per-journey share of entries that convert (drawn, see above). */
export const CONVERSION: Record<BuiltInJourneyId, number> = {
  onboarding: 0.15,
  'lead-nurture': 0.12,
  'abandoned-cart': 0,
  'churn-rescue': 0.08,
  loyalty: 0.2,
};

/** Each built-in journey, parsed, as published (version 1 in the first half of the period, 2 after). */
export const SHOP_JOURNEYS = Object.fromEntries(
  Object.entries(BUILT_IN_JOURNEYS).map(([id, doc]) => [id, journeySchema.parse(doc)]),
) as Record<BuiltInJourneyId, Journey>;
