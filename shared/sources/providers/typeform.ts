import * as z from 'zod';
import type { CanonicalEvent, Identifiers, Normalised, PropertyValue } from '#core/canonical-event.ts';
import {
  badSignature,
  hmacSha256,
  identifiersOf,
  ignored,
  isoDateTimeSchema,
  missingHeader,
  optionalEmail,
  optionalPhone,
  profileOf,
  propertyName,
  propertyValue,
  sameBytes,
  toIso,
} from './common.ts';
import type { Delivery, Parsed, Provider, Verification } from './provider.ts';

/**
 * Typeform webhooks (https://www.typeform.com/developers/webhooks/).
 *
 * Signature: `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the raw body keyed by the
 * webhook's secret>`. The body is `{ event_id, event_type: "form_response", form_response }`;
 * answers name their question by `field.ref` (and `field.id`).
 *
 * Mapping: answers become form fields named by the question's ref. Without settings the first
 * `email` answer is the contact's email and the first `phone_number` answer their phone; a
 * source's `fieldMap` can send any question (by ref or id) or hidden field (by name) to the
 * email, phone, first or last name, or a named property. Hidden fields become fields too, and a
 * hidden field called `email` holding an address is used as the email when no answer gave one.
 */

export const TYPEFORM_SIGNATURE_HEADER = 'Typeform-Signature';

const fieldTargetSchema = z.union([
  z.enum(['email', 'phone', 'firstName', 'lastName']),
  z.templateLiteral(['property:', z.string().min(1).max(100)]),
]);
export type FieldTarget = z.infer<typeof fieldTargetSchema>;

/** A Typeform source's settings: where answers go, keyed by the question's ref. */
export const typeformSettingsSchema = z
  .object({ fieldMap: z.record(z.string().min(1).max(255), fieldTargetSchema).optional() })
  .strict();
export type TypeformSettings = z.infer<typeof typeformSettingsSchema>;

function verify(secret: string, delivery: Delivery): Verification {
  const header = delivery.header(TYPEFORM_SIGNATURE_HEADER)?.trim();
  if (!header) return missingHeader(TYPEFORM_SIGNATURE_HEADER);
  if (!header.startsWith('sha256=')) return badSignature(TYPEFORM_SIGNATURE_HEADER);
  const expected = hmacSha256(secret, delivery.body);
  return sameBytes(Buffer.from(header.slice('sha256='.length), 'base64'), expected)
    ? { ok: true }
    : badSignature(TYPEFORM_SIGNATURE_HEADER);
}

// ---- Payload schemas (only the fields Tend reads are declared; the rest pass through) ----------

const answerSchema = z.looseObject({
  type: z.string(),
  field: z.looseObject({ id: z.string().min(1), type: z.string(), ref: z.string().min(1).optional() }),
  text: z.string().optional(),
  email: z.string().optional(),
  phone_number: z.string().optional(),
  url: z.string().optional(),
  file_url: z.string().optional(),
  date: z.string().optional(),
  number: z.number().optional(),
  boolean: z.boolean().optional(),
  choice: z.looseObject({ label: z.string().optional(), other: z.string().optional() }).optional(),
  choices: z.looseObject({ labels: z.array(z.string()).optional(), other: z.string().optional() }).optional(),
});
type Answer = z.infer<typeof answerSchema>;

const envelopeSchema = z.looseObject({ event_id: z.string().min(1), event_type: z.string().min(1) });

const payloadSchema = envelopeSchema.extend({
  form_response: z.looseObject({
    form_id: z.string().min(1),
    token: z.string().min(1),
    submitted_at: isoDateTimeSchema,
    hidden: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    answers: z.array(answerSchema).default([]),
  }),
});

// ---- Mapping ----------------------------------------------------------------------------------

/** The value of an answer as a form field; undefined for types Tend does not keep (payment). */
function answerValue(answer: Answer): PropertyValue | undefined {
  switch (answer.type) {
    case 'text':
    case 'email':
    case 'phone_number':
    case 'url':
    case 'file_url':
    case 'date':
    case 'number':
    case 'boolean': {
      const value = answer[answer.type];
      return value === undefined ? undefined : propertyValue(value);
    }
    case 'choice': {
      const label = answer.choice?.label ?? answer.choice?.other;
      return label === undefined ? undefined : propertyValue(label);
    }
    case 'choices': {
      const labels = [...(answer.choices?.labels ?? []), ...(answer.choices?.other ? [answer.choices.other] : [])];
      return propertyValue(labels.join(', '));
    }
    default:
      return undefined;
  }
}

interface Entry {
  name: string;
  value: PropertyValue;
  target: FieldTarget;
  explicit: boolean;
}

export const NO_CONTACT_ANSWER = 'no email or phone answer; map one with fieldMap';

/** The field's own mapping: a field named like an Object member (`__proto__`, `constructor`) has none. */
const mappingOf = (fieldMap: Record<string, FieldTarget>, name: string): FieldTarget | undefined =>
  Object.hasOwn(fieldMap, name) ? fieldMap[name] : undefined;

function normalise(payload: unknown, settings: TypeformSettings): Normalised {
  const { form_response: response } = payloadSchema.parse(payload);
  const fieldMap = settings.fieldMap ?? {};
  const entries: Entry[] = [];
  let defaultEmail = false;
  let defaultPhone = false;

  for (const answer of response.answers) {
    const value = answerValue(answer);
    if (value === undefined || value === null || value === '') continue;
    const name = answer.field.ref ?? answer.field.id;
    const mapped = mappingOf(fieldMap, name) ?? mappingOf(fieldMap, answer.field.id);
    let target: FieldTarget = `property:${name}`;
    if (mapped) target = mapped;
    else if (answer.type === 'email' && !defaultEmail) [target, defaultEmail] = ['email', true];
    else if (answer.type === 'phone_number' && !defaultPhone) [target, defaultPhone] = ['phone', true];
    entries.push({ name, value, target, explicit: mapped !== undefined });
  }
  for (const [name, value] of Object.entries(response.hidden ?? {})) {
    if (value === null || value === '') continue;
    const mapped = mappingOf(fieldMap, name);
    const target: FieldTarget = mapped ?? (name === 'email' && optionalEmail(value) ? 'email' : `property:${name}`);
    entries.push({ name, value: propertyValue(value), target, explicit: mapped !== undefined });
  }

  // Explicit mappings win over the defaults; among equals, the first answer wins.
  entries.sort((a, b) => Number(b.explicit) - Number(a.explicit));
  const ids: Identifiers = {};
  const names: { firstName?: string; lastName?: string } = {};
  const fields: Record<string, PropertyValue> = {};
  for (const { name, value, target } of entries) {
    if (target === 'email' || target === 'phone') {
      const identifier = target === 'email' ? optionalEmail(value) : optionalPhone(value);
      // A second address, or one that does not parse, is kept as an answer rather than lost.
      if (identifier && !ids[target]) ids[target] = identifier;
      else fields[propertyName(name)] = value;
    } else if (target === 'firstName' || target === 'lastName') names[target] ??= String(value);
    else fields[propertyName(target.slice('property:'.length))] = value;
  }

  const identifiers = identifiersOf(ids);
  if (!identifiers.email && !identifiers.phone) return ignored(NO_CONTACT_ANSWER);
  const profile = profileOf(names.firstName, names.lastName, fields);
  const event: CanonicalEvent = {
    name: 'form.submitted',
    key: `response:${response.token}`,
    occurredAt: toIso(response.submitted_at),
    identifiers,
    ...(profile ? { profile } : {}),
    data: { provider: 'typeform', formId: response.form_id, fields },
  };
  return { kind: 'events', events: [event] };
}

function parse(_delivery: Delivery, payload: unknown, settings: TypeformSettings): Parsed {
  const envelope = envelopeSchema.parse(payload);
  // Settings come from storage; checked again here so a bad map fails loudly, not oddly.
  const checked = typeformSettingsSchema.parse(settings ?? {});
  const result =
    envelope.event_type === 'form_response'
      ? normalise(payload, checked)
      : ignored(`typeform event type "${envelope.event_type}" is not used by Tend`);
  return { deliveryId: envelope.event_id, topic: envelope.event_type, result };
}

export const typeform: Provider<TypeformSettings> = { kind: 'typeform', verify, parse };
