import { describe, expect, it } from 'vitest';
import { DEFAULT_LEAD_RULES, type LeadRule, leadScore } from './lead.ts';
import { ago, contact, event } from './score-fixtures.ts';

describe('leadScore', () => {
  it('gives an unengaged contact 0', () => {
    expect(leadScore(contact(), [])).toEqual({ total: 0, applied: [], explanation: ['No lead rule applies → 0'] });
  });

  it('adds up forms, capped opens and clicks, a pricing form and a promoter answer', () => {
    const events = [
      event('form.submitted', ago(20), { formId: 'newsletter', fields: { email: 'ada@example.com' } }),
      event('form.submitted', ago(10), { formId: 'demo', fields: { page: 'https://shop.example/Pricing' } }),
      ...Array.from({ length: 12 }, (_, i) => event('email.opened', ago(i + 1))),
      event('email.clicked', ago(3), { link: 'https://shop.example/blog' }),
      event('email.clicked', ago(2), { link: 'https://shop.example/blog' }),
      event('nps.responded', ago(1), { score: 9 }),
    ];

    const result = leadScore(contact(), events);

    expect(result.total).toBe(51);
    expect(result.applied).toEqual([
      { id: 'form-submitted', description: 'Submitted a form', occurrences: 2, points: 10 },
      { id: 'email-opened', description: 'Opened an email', occurrences: 12, points: 10 },
      { id: 'email-clicked', description: 'Clicked a link in an email', occurrences: 2, points: 6 },
      {
        id: 'high-intent-form',
        description: 'Submitted a pricing-page or lead-magnet form',
        occurrences: 1,
        points: 15,
      },
      { id: 'nps-promoter', description: 'Latest NPS answer is 9 or 10 (promoter)', occurrences: 1, points: 10 },
    ]);
    expect(result.explanation).toEqual([
      'Submitted a form (2 times, counted once): +10',
      'Opened an email: 12 × +1 = +12, capped at +10',
      'Clicked a link in an email: 2 × +3 = +6',
      'Submitted a pricing-page or lead-magnet form: +15',
      'Latest NPS answer is 9 or 10 (promoter): +10',
      'Lead score 51 from 5 rules',
    ]);
  });

  it('caps clicks at 15', () => {
    const clicks = Array.from({ length: 6 }, (_, i) => event('email.clicked', ago(i + 1)));
    expect(leadScore(contact(), clicks).total).toBe(15);
  });

  it('counts a lead-magnet field as high intent', () => {
    const form = event('form.submitted', ago(1), { formId: 'guide', fields: { leadMagnet: 'crm-checklist' } });
    expect(leadScore(contact(), [form]).applied.map((a) => a.id)).toEqual(['form-submitted', 'high-intent-form']);
  });

  it('judges NPS by the latest answer only', () => {
    const events = [event('nps.responded', ago(30), { score: 10 }), event('nps.responded', ago(2), { score: 3 })];
    const result = leadScore(contact(), events);
    expect(result.applied).toEqual([
      { id: 'nps-detractor', description: 'Latest NPS answer is 0 to 6 (detractor)', occurrences: 1, points: -10 },
    ]);
    expect(result.explanation).toEqual(['Latest NPS answer is 0 to 6 (detractor): −10', 'Lead score −10 from 1 rule']);
  });

  it('gives a passive NPS answer nothing', () => {
    expect(leadScore(contact(), [event('nps.responded', ago(2), { score: 8 })]).total).toBe(0);
  });

  it('subtracts 20 for an unsubscribed contact, whether from the profile or the timeline', () => {
    const opened = event('email.opened', ago(5));
    expect(leadScore(contact({ unsubscribedAt: ago(1) }), [opened]).total).toBe(-19);
    expect(leadScore(contact(), [opened, event('contact.unsubscribed', ago(1))]).total).toBe(-19);
  });

  it('subtracts 30 for a spam complaint and adds 10 for a started checkout', () => {
    const events = [event('checkout.started', ago(4), { cartId: 'c' }), event('email.complained', ago(1))];
    expect(leadScore(contact(), events).total).toBe(-20);
  });

  it('takes overridden and extra rules', () => {
    const rules: LeadRule[] = [
      ...DEFAULT_LEAD_RULES.map((rule) => (rule.id === 'email-opened' ? { ...rule, points: 2, max: 4 } : rule)),
      {
        id: 'pricing-click',
        description: 'Clicked through to pricing',
        points: 5,
        match: { kind: 'event', event: 'email.clicked', where: { field: 'link', includes: '/PRICING' } },
      },
      { id: 'vip', description: 'Tagged vip', points: 7, match: { kind: 'tag', tag: 'vip' } },
    ];
    const events = [
      ...Array.from({ length: 3 }, (_, i) => event('email.opened', ago(i + 1))),
      event('email.clicked', ago(1), { link: 'https://shop.example/pricing' }),
    ];

    const result = leadScore(contact({ tags: ['vip'] }), events, rules);

    expect(result.total).toBe(4 + 3 + 5 + 7);
    expect(result.explanation).toEqual([
      'Opened an email: 3 × +2 = +6, capped at +4',
      'Clicked a link in an email: 1 × +3 = +3',
      'Clicked through to pricing: +5',
      'Tagged vip: +7',
      'Lead score 19 from 4 rules',
    ]);
  });
});
