import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import { alterOneByte, delivery, fixture, fixtureJson } from '../../../test/fixtures/providers/fixtures.ts';
import { canonicalEventSchema } from './canonical-data.ts';
import { NO_CONTACT_ANSWER, type TypeformSettings, typeform, typeformSettingsSchema } from './typeform.ts';

const SECRET = 'tf-secret-4b7d1e9a2c6f';

/** Typeform's documented scheme: `sha256=` + base64 HMAC-SHA256 of the raw body keyed by the secret. */
const sign = (body: Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

const signed = (body: Buffer | string) => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return delivery(bytes, { 'Typeform-Signature': sign(bytes) });
};

const parse = (body: Buffer | string, settings: TypeformSettings = {}) => {
  const d = signed(body);
  expect(typeform.verify(SECRET, d)).toEqual({ ok: true });
  return typeform.parse(d, JSON.parse(d.body.toString('utf8')), settings);
};

const onlyEvent = (result: ReturnType<typeof parse>['result']): CanonicalEvent => {
  if (result.kind !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  expect(result.events).toHaveLength(1);
  const [event] = result.events;
  if (!event) throw new Error('no event');
  canonicalEventSchema.parse(event);
  return event;
};

type Payload = { form_response: { answers: Record<string, unknown>[]; hidden?: Record<string, string> } };

/** The fixture with answers filtered and hidden fields replaced, re-serialised. */
const variant = (keep: (answer: Record<string, unknown>) => boolean, hidden?: Record<string, string>): string => {
  const payload = fixtureJson('typeform', 'form_response') as Payload;
  payload.form_response.answers = payload.form_response.answers.filter(keep);
  if (hidden) payload.form_response.hidden = hidden;
  return JSON.stringify(payload);
};

describe('typeform verify', () => {
  it('accepts a body signed with the secret', () => {
    // Arrange
    const d = signed(fixture('typeform', 'form_response'));
    // Act
    const result = typeform.verify(SECRET, d);
    // Assert
    expect(result).toEqual({ ok: true });
  });

  it('refuses a body altered by one byte', () => {
    const body = fixture('typeform', 'form_response');
    const d = { ...signed(body), body: alterOneByte(body) };

    expect(typeform.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    const body = fixture('typeform', 'form_response');
    const d = delivery(body, { 'Typeform-Signature': sign(body, 'another-secret') });

    expect(typeform.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature without the sha256= prefix', () => {
    const body = fixture('typeform', 'form_response');
    const d = delivery(body, { 'Typeform-Signature': sign(body).slice('sha256='.length) });

    expect(typeform.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a delivery without the Typeform-Signature header', () => {
    const d = delivery(fixture('typeform', 'form_response'), {});

    expect(typeform.verify(SECRET, d)).toMatchObject({ reason: 'missing_headers', message: /Typeform-Signature/ });
  });
});

describe('typeform parse', () => {
  it('turns a form_response into form.submitted with the email, phone and answers by ref', () => {
    // Act
    const parsed = parse(fixture('typeform', 'form_response'));
    // Assert
    expect(parsed).toMatchObject({ deliveryId: '01HZK8Q2V7P3M9X4T6R1B5N0CW', topic: 'form_response' });
    const fields = {
      readable_ref_long_text: "It's cold right now! I'm freezing!",
      readable_ref_short_text: 'Laura',
      readable_ref_opinion_scale: 5,
      readable_ref_rating: 5,
      readable_ref_multiple_choice: 'London',
      readable_ref_yes_no: false,
      readable_ref_multiple_choice_multiple: 'London, Sydney, Montreal',
      readable_ref_date: '2005-10-15',
      readable_ref_legal: true,
      readable_ref_website: 'https://laura.example.com',
      user_id: 'abc123456',
    };
    expect(onlyEvent(parsed.result)).toEqual({
      name: 'form.submitted',
      key: 'response:a3a12ec67a1365927098a606107fac15',
      occurredAt: '2025-01-18T18:17:02.000Z',
      identifiers: { email: 'laura@example.com', phone: '+447400123456' },
      profile: { properties: fields },
      data: { provider: 'typeform', formId: 'lT4Z3j', fields },
    });
  });

  it('follows a fieldMap for names, identifiers and property names', () => {
    const settings = typeformSettingsSchema.parse({
      fieldMap: {
        readable_ref_short_text: 'firstName',
        readable_ref_website: 'property:website',
        user_id: 'property:crmUserId',
      },
    });

    const event = onlyEvent(parse(fixture('typeform', 'form_response'), settings).result);

    expect(event.profile).toMatchObject({ firstName: 'Laura' });
    expect(event.data.fields).toMatchObject({ website: 'https://laura.example.com', crmUserId: 'abc123456' });
    expect(event.data.fields).not.toHaveProperty('readable_ref_short_text');
  });

  it('lets an explicitly mapped email win over the first email answer', () => {
    const payload = fixtureJson('typeform', 'form_response') as Payload;
    payload.form_response.answers.push({
      type: 'text',
      text: 'work@example.com',
      field: { id: 'zzWork', type: 'short_text', ref: 'work_email' },
    });

    const event = onlyEvent(parse(JSON.stringify(payload), { fieldMap: { work_email: 'email' } }).result);

    expect(event.identifiers.email).toBe('work@example.com');
    expect(event.data.fields).toHaveProperty('readable_ref_email', 'Laura@Example.com');
  });

  it('keeps fields named like Object members (__proto__, constructor) as plain answers', () => {
    const payload = fixtureJson('typeform', 'form_response') as Payload;
    payload.form_response.answers.push(
      { type: 'text', text: 'first', field: { id: '__proto__', type: 'short_text' } },
      { type: 'text', text: 'second', field: { id: 'constructor', type: 'short_text' } },
    );

    const event = onlyEvent(parse(JSON.stringify(payload)).result);

    expect(event.identifiers.email).toBe('laura@example.com');
    expect(Object.hasOwn(event.data.fields as object, 'constructor')).toBe(true);
  });

  it('takes the email from a hidden field called email when no answer gives one', () => {
    const body = variant((a) => a.type !== 'email' && a.type !== 'phone_number', { email: 'Hidden@Example.com' });

    const event = onlyEvent(parse(body).result);

    expect(event.identifiers).toEqual({ email: 'hidden@example.com' });
  });

  it('ignores a response with no email or phone, saying how to map one', () => {
    const body = variant((a) => a.type !== 'email' && a.type !== 'phone_number', { user_id: 'abc' });

    expect(parse(body).result).toEqual({ kind: 'ignored', reason: NO_CONTACT_ANSWER });
  });

  it('ignores an event type other than form_response', () => {
    const payload = { ...fixtureJson('typeform', 'form_response'), event_type: 'form_response_partial' };

    expect(parse(JSON.stringify(payload)).result).toEqual({
      kind: 'ignored',
      reason: 'typeform event type "form_response_partial" is not used by Tend',
    });
  });

  it('refuses settings that map to an unknown target', () => {
    const result = typeformSettingsSchema.safeParse({ fieldMap: { q1: 'nickname' } });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['fieldMap', 'q1']);
  });

  it('throws a ZodError with the path when a used field is malformed', () => {
    const payload = fixtureJson('typeform', 'form_response') as { form_response: Record<string, unknown> };
    payload.form_response.submitted_at = 'yesterday';

    expect(() => parse(JSON.stringify(payload))).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['form_response', 'submitted_at'] })] }),
    );
  });
});
