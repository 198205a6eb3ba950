import { expect } from 'vitest';
import { createTemplateCatalog } from '#messaging/built-in-catalog.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { BUILT_IN_JOURNEYS, type BuiltInJourneyId } from '#workflows/journeys/index.ts';
import { simulateRequestSchema } from './api.schema.ts';
import { runSimulation } from './backtest.ts';

/** What the simulation tests share: the dependencies, and events and runs of built-in journeys. */

export const deps = {
  templates: createTemplateCatalog(createMemoryStore().store),
  render: renderCompiled,
  settings: { defaultTimeZone: 'UTC' },
  validationContext: async () => ({ templates: builtInTemplateIds }),
};

export type Event = { name: string; at: string; data?: Record<string, unknown>; id?: string };

/** Runs a built-in journey for Ada over a timeline; fails the test on any execution failure. */
export async function simulate(
  journey: BuiltInJourneyId,
  timeline: Event[],
  contact: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  const request = simulateRequestSchema.parse({
    contact: { email: 'ada@example.com', firstName: 'Ada', ...contact },
    timeline,
    ...extra,
  });
  const result = await runSimulation(deps, BUILT_IN_JOURNEYS[journey], request);
  expect(result.failures, result.lines.join('\n')).toEqual([]);
  return {
    ...result,
    sent: result.emails.filter((e) => e.outcome === 'sent').map((e) => `${e.at} ${e.template}`),
    status: result.enrollments.map((e) => `${e.status}${'exitReason' in e && e.exitReason ? `:${e.exitReason}` : ''}`),
  };
}

export const form = (at: string, fields: Record<string, unknown> = {}, id?: string): Event => ({
  name: 'form.submitted',
  at,
  data: { provider: 'standard-webhooks', formId: 'form', fields },
  ...(id ? { id } : {}),
});
export const checkout = (at: string, cartId: string): Event => ({
  name: 'checkout.started',
  at,
  data: {
    provider: 'shopify',
    cartId,
    total: { amountMinor: 8900, currency: 'EUR' },
    lineItems: [{ name: 'Linen throw', quantity: 1 }],
  },
});
export const order = (at: string, amountMinor: number, cartId?: string): Event => ({
  name: 'order.placed',
  at,
  data: {
    provider: 'shopify',
    orderId: `o-${at}`,
    ...(cartId ? { cartId } : {}),
    total: { amountMinor, currency: 'EUR' },
    lineItems: [],
  },
});
