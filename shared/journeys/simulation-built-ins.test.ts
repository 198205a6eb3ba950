import { describe, expect, it } from 'vitest';
import { deterministicId } from '#core/ids.ts';
import { bucketOf } from '#workflows/conditions.ts';
import { journeySchema } from '#workflows/journey.schema.ts';
import { BUILT_IN_JOURNEYS } from '#workflows/journeys/index.ts';
import { pathsOf } from '#workflows/paths.ts';
import { checkout, type Event, form, order, simulate } from './simulation.fixture.ts';

/**
 * Every path of every built-in journey, run by the simulator: the compiled ASL on a virtual
 * clock, with the real routing, entry rules, send policy, steps, goals and exits.
 */

describe('onboarding', () => {
  it('welcomes a new contact from a form, then sends tips two days later', async () => {
    const run = await simulate('onboarding', [form('2026-11-02T10:00:00Z')]);
    expect(run.sent).toEqual(['2026-11-02T10:00:00.000Z welcome', '2026-11-04T10:00:00.000Z tips']);
    expect(run.status).toEqual(['completed:completed']);
    expect(run.lines[0]).toBe('2026-11-02T10:00:00Z  event form.submitted → entered');
  });

  it('leaves out an existing contact and a lead-magnet download', async () => {
    expect(
      (await simulate('onboarding', [form('2026-11-02T10:00:00Z')], { createdAt: '2026-01-01T00:00:00Z' })).enrollments,
    ).toEqual([]);
    expect((await simulate('onboarding', [form('2026-11-02T10:00:00Z', { leadMagnet: 'guide' })])).enrollments).toEqual(
      [],
    );
  });

  it('counts an order within 14 days as a conversion and keeps going', async () => {
    const run = await simulate('onboarding', [form('2026-11-02T10:00:00Z'), order('2026-11-03T10:00:00Z', 4200)]);
    expect(run.sent).toHaveLength(2);
    expect(run.enrollments[0]).toMatchObject({
      status: 'completed',
      conversion: { goal: 'order.placed', revenue: { amountMinor: 4200, currency: 'EUR' } },
    });
  });

  it('skips the tips for a contact who left the topic, and says why', async () => {
    const run = await simulate('onboarding', [
      form('2026-11-02T10:00:00Z'),
      {
        name: 'contact.unsubscribed',
        at: '2026-11-03T10:00:00Z',
        data: { topic: 'product-news', method: 'one-click' },
      },
    ]);
    expect(run.emails.map((e) => [e.template, e.outcome, e.reason])).toEqual([
      ['welcome', 'sent', undefined],
      ['tips', 'skipped', 'topic-unsubscribed'],
    ]);
  });
});

describe('lead nurture', () => {
  const lead = (at = '2026-11-02T10:00:00Z', id = 'lead-1') => form(at, { leadMagnet: 'buying-guide' }, id);

  it('sends the guide, the story, and the offer to an engaged lead', async () => {
    const run = await simulate('lead-nurture', [
      lead(),
      { name: 'email.clicked', at: '2026-11-06T12:00:00Z', data: {} },
    ]);
    expect(run.sent).toEqual([
      '2026-11-03T10:00:00.000Z nurture-guide',
      '2026-11-06T10:00:00.000Z nurture-story',
      '2026-11-09T10:00:00.000Z nurture-offer',
    ]);
    expect(run.steps.find((s) => s.nodeId === 'engaged')?.detail).toContain('→ yes');
    expect(run.status).toEqual(['completed:completed']);
  });

  it('tags a lead that never engaged as cold', async () => {
    const run = await simulate('lead-nurture', [lead()]);
    expect(run.sent.map((s) => s.split(' ')[1])).toEqual(['nurture-guide', 'nurture-story']);
    expect(run.contact?.tags).toEqual(['cold-lead']);
  });

  it('ends the nurture the moment the lead buys, wherever it waits, and counts the conversion', async () => {
    const run = await simulate('lead-nurture', [lead(), order('2026-11-04T09:00:00Z', 9900)]);
    expect(run.sent.map((s) => s.split(' ')[1])).toEqual(['nurture-guide']);
    expect(run.enrollments[0]).toMatchObject({
      status: 'exited',
      exitReason: 'converted',
      conversion: { goal: 'order.placed' },
    });
  });

  it('holds a late-evening email until quiet hours end', async () => {
    const run = await simulate('lead-nurture', [lead('2026-11-02T22:30:00Z')]);
    expect(run.emails[0]).toMatchObject({ template: 'nurture-guide', outcome: 'deferred', reason: 'quiet-hours' });
    expect(run.sent[0]).toBe('2026-11-04T08:00:00.000Z nurture-guide');
  });

  it('keeps the holdout share out as a control group', async () => {
    // The holdout is fixed by the enrollment id, itself fixed by journey, contact and trigger event.
    const id = Array.from({ length: 200 }, (_, i) => `lead-${i}`).find(
      (candidate) => bucketOf(deterministicId('e', 'lead-nurture', 'c-simulated', candidate), 'holdout') < 10,
    ) as string;
    const run = await simulate('lead-nurture', [lead('2026-11-02T10:00:00Z', id)]);
    expect(run.status).toEqual(['holdout']);
    expect(run.emails).toEqual([]);
  });
});

describe('abandoned cart', () => {
  it('sends nothing when the same cart is ordered within the hour', async () => {
    const run = await simulate('abandoned-cart', [
      checkout('2026-11-02T10:00:00Z', 'cart-1'),
      order('2026-11-02T10:40:00Z', 8900, 'cart-1'),
    ]);
    expect(run.emails).toEqual([]);
    expect(run.enrollments[0]).toMatchObject({ status: 'completed', conversion: { goal: 'order.placed' } });
    expect(run.lines).toContain('2026-11-02T10:40:00Z  purchased: goal reached: purchased');
  });

  it('reminds after an hour and again 23 hours later when nothing is ordered', async () => {
    const run = await simulate('abandoned-cart', [checkout('2026-11-02T10:00:00Z', 'cart-1')]);
    expect(run.sent).toEqual(['2026-11-02T11:00:00.000Z cart-reminder', '2026-11-03T10:00:00.000Z cart-last-chance']);
    expect(run.status).toEqual(['completed:completed']);
  });

  it('still reminds when the order is for another cart', async () => {
    const run = await simulate('abandoned-cart', [
      checkout('2026-11-02T10:00:00Z', 'cart-1'),
      order('2026-11-02T10:30:00Z', 1500, 'cart-2'),
    ]);
    expect(run.sent[0]).toBe('2026-11-02T11:00:00.000Z cart-reminder');
  });

  it('stops after the first reminder when the cart is ordered then', async () => {
    const run = await simulate('abandoned-cart', [
      checkout('2026-11-02T10:00:00Z', 'cart-1'),
      order('2026-11-02T15:00:00Z', 8900, 'cart-1'),
    ]);
    expect(run.sent).toEqual(['2026-11-02T11:00:00.000Z cart-reminder']);
    expect(run.status).toEqual(['completed:goal']);
  });

  it('takes one checkout at a time, and a new one after the last has ended', async () => {
    const run = await simulate('abandoned-cart', [
      checkout('2026-11-02T10:00:00Z', 'cart-1'),
      checkout('2026-11-02T10:20:00Z', 'cart-2'),
      checkout('2026-11-05T10:00:00Z', 'cart-3'),
    ]);
    expect(run.enrollments).toHaveLength(2);
    expect(run.sent.map((s) => s.split(' ')[1])).toEqual([
      'cart-reminder',
      'cart-last-chance',
      'cart-reminder',
      'cart-last-chance',
    ]);
  });
});

describe('churn rescue', () => {
  it('wins back after a cancellation: two emails, then a task for the owner when no order comes', async () => {
    const run = await simulate('churn-rescue', [
      { name: 'subscription.cancelled', at: '2026-11-02T10:00:00Z', data: { subscriptionId: 'sub_1' } },
    ]);
    expect(run.sent).toEqual(['2026-11-02T10:00:00.000Z winback', '2026-11-05T10:00:00.000Z winback-offer']);
    expect(run.tasks).toEqual(['Churn risk: ada@example.com']);
    expect(run.contact?.tags).toEqual(['churn-risk']);
    expect(run.status).toEqual(['completed:completed']);
  });

  it('asks to update the card after a failed payment, and counts the order that follows', async () => {
    const run = await simulate(
      'churn-rescue',
      [
        {
          name: 'payment.failed',
          at: '2026-11-02T10:00:00Z',
          data: { invoiceId: 'in_1', amount: { amountMinor: 1900, currency: 'EUR' } },
        },
        order('2026-11-04T10:00:00Z', 1900),
      ],
      {},
      { until: '2026-11-30T00:00:00Z' },
    );
    expect(run.sent.map((s) => s.split(' ')[1])).toEqual(['payment-failed']);
    expect(run.steps.find((s) => s.nodeId === 'reason')?.detail).toContain('→ payment failed');
    expect(run.enrollments[0]).toMatchObject({ conversion: { goal: 'order.placed' } });
    expect(run.tasks).toEqual([]);
  });

  it('enters 60 days after the last order, not before', async () => {
    const run = await simulate(
      'churn-rescue',
      [order('2026-09-01T10:00:00Z', 3000), order('2026-09-20T10:00:00Z', 3000)],
      {},
      { until: '2026-12-31T00:00:00Z' },
    );
    expect(run.enrollments).toHaveLength(1);
    expect(run.enrollments[0]?.enteredAt).toBe('2026-11-19T10:00:00.000Z');
    expect(run.enrollments[0]?.trigger).toBe('order.placed');
  });

  it('ends the rescue when the customer subscribes again', async () => {
    const run = await simulate('churn-rescue', [
      { name: 'subscription.cancelled', at: '2026-11-02T10:00:00Z', data: { subscriptionId: 'sub_1' } },
      { name: 'subscription.started', at: '2026-11-03T10:00:00Z', data: { subscriptionId: 'sub_2' } },
    ]);
    expect(run.sent.map((s) => s.split(' ')[1])).toEqual(['winback']);
    expect(run.status).toEqual(['exited:exit-rule']);
  });

  it('waits out the 30-day cool-off before a contact can enter again', async () => {
    const cancel = (at: string, id: string): Event => ({
      name: 'subscription.cancelled',
      at,
      data: { subscriptionId: id },
    });
    const run = await simulate('churn-rescue', [
      cancel('2026-09-01T10:00:00Z', 's1'),
      cancel('2026-09-20T10:00:00Z', 's2'),
      cancel('2026-10-05T10:00:00Z', 's3'),
    ]);
    expect(run.enrollments.map((e) => e.enteredAt)).toEqual(['2026-09-01T10:00:00.000Z', '2026-10-05T10:00:00.000Z']);
  });
});

describe('loyalty', () => {
  const loyaltyJourney = journeySchema.parse(BUILT_IN_JOURNEYS.loyalty);

  it('counts points, asks for a review on a weekday morning after delivery, then splits the cross-sell', async () => {
    // Monday 2 November; delivery wait ends Saturday 7 → Monday 9 at 10:00.
    const run = await simulate('loyalty', [order('2026-11-02T10:00:00Z', 5000)]);
    expect(run.contact?.properties).toMatchObject({ loyaltyPoints: 50, orderCount: 1 });
    expect(run.sent[0]).toBe('2026-11-09T10:00:00.000Z review-request');
    const split = run.steps.find((s) => s.nodeId === 'cross-sell-test')?.detail ?? '';
    expect(split).toMatch(/→ (cross-sell|control)$/);
    expect(run.sent.length).toBe(split.endsWith('cross-sell') ? 2 : 1);
    expect(run.status).toEqual(['completed:completed']);
  });

  it('moves a customer to silver at 300 points with a tier-up email, and to gold at 1000', async () => {
    const silver = await simulate('loyalty', [order('2026-11-02T10:00:00Z', 35_000)]);
    expect(silver.contact?.properties).toMatchObject({ loyaltyPoints: 350, loyaltyTier: 'silver' });
    expect(silver.sent[0]).toBe('2026-11-02T10:00:00.000Z tier-up');

    const gold = await simulate('loyalty', [
      order('2026-10-01T10:00:00Z', 35_000),
      order('2026-11-02T10:00:00Z', 70_000),
    ]);
    expect(gold.contact?.properties).toMatchObject({ loyaltyPoints: 1050, loyaltyTier: 'gold' });
    expect(gold.sent.filter((s) => s.endsWith('tier-up'))).toHaveLength(2);
  });

  it('shows the tier split that runs inside the points update, and bills what the compiled path costs', async () => {
    const run = await simulate('loyalty', [order('2026-11-02T10:00:00Z', 35_000)]);
    const visited = run.steps.map((s) => s.nodeId);
    expect(visited.slice(0, 4)).toEqual(['points', 'tier', 'make-silver', 'tier-up-email']);
    // points and the split are one Task and a Choice, as compiled (see fusedDecisions).
    const path = pathsOf(loyaltyJourney).paths.find((p) => p.nodes.join() === [...new Set(visited)].join());
    expect(path, visited.join(' → ')).toBeDefined();
    expect(run.transitions).toBe(path?.transitions);
  });

  it('keeps points exact when an order arrives while the contact is inside: the next entry recounts', async () => {
    const run = await simulate(
      'loyalty',
      [order('2026-11-02T10:00:00Z', 5000), order('2026-11-03T10:00:00Z', 5000), order('2026-12-20T10:00:00Z', 1000)],
      {},
      { until: '2027-01-31T00:00:00Z' },
    );
    expect(run.enrollments).toHaveLength(2);
    expect(run.contact?.properties).toMatchObject({ loyaltyPoints: 110, orderCount: 3 });
  });
});

describe('the simulator itself', () => {
  it('leaves no timer behind when it ends with contacts still waiting', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const run = await simulate(
      'abandoned-cart',
      [checkout('2026-11-02T10:00:00Z', 'cart-1')],
      {},
      { until: '2026-11-02T10:30:00Z' },
    );
    expect(run.enrollments[0]?.status).toBe('active at the end');
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
