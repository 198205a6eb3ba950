import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { propertyValueSchema } from '#core/canonical-event.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { EVENT_NAMES } from '#core/contact.ts';
import type { BacktestSource } from '#journeys/backtest.ts';

const eventLineSchema = z
  .object({
    email: z.email(),
    name: z.enum(EVENT_NAMES),
    at: z.iso.datetime({ offset: true }),
    data: z.record(z.string(), z.unknown()).default({}),
    id: z.string().min(1).max(200).optional(),
  })
  .strict();
const contactLineSchema = z
  .object({
    contact: z
      .object({
        email: z.email(),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
        timeZone: z.string().optional(),
        locale: z.string().optional(),
        properties: z.record(z.string(), propertyValueSchema).default({}),
        tags: z.array(z.string()).default([]),
        createdAt: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
  })
  .strict();

/**
 * Events from a JSON Lines file, one event (`{ email, name, at, data }`) or contact
 * (`{ contact: { email, properties, ... } }`) per line, grouped by email. A bad line stops with
 * its line number.
 */
export function fileSource(file: string): BacktestSource {
  return {
    async *contacts() {
      const byEmail = new Map<
        string,
        { contact?: z.infer<typeof contactLineSchema>['contact']; events: z.infer<typeof eventLineSchema>[] }
      >();
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      let n = 0;
      for await (const line of lines) {
        n += 1;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new Error(`${file}:${n}: not JSON`);
        }
        const asContact = contactLineSchema.safeParse(value);
        const asEvent = asContact.success ? undefined : eventLineSchema.safeParse(value);
        if (!asContact.success && !asEvent?.success) {
          throw new Error(
            `${file}:${n}: ${asEvent?.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        }
        const email = asContact.success ? asContact.data.contact.email : (asEvent?.data?.email as string);
        const entry = byEmail.get(email) ?? { events: [] };
        if (asContact.success) entry.contact = asContact.data.contact;
        else if (asEvent?.data) entry.events.push(asEvent.data);
        byEmail.set(email, entry);
      }
      for (const [email, entry] of byEmail) {
        const contactId = `c-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`;
        const sorted = entry.events.sort((a, b) => a.at.localeCompare(b.at));
        const createdAt = entry.contact?.createdAt ?? sorted[0]?.at ?? new Date(0).toISOString();
        const { createdAt: _c, properties = {}, tags = [], ...profile } = entry.contact ?? { email };
        const contact: Contact = {
          ...profile,
          email,
          contactId,
          properties,
          tags,
          createdAt,
          updatedAt: createdAt,
          createdBy: `file:${contactId}`,
        };
        const events: TimelineEvent[] = sorted.map((e, i) => ({
          eventId: e.id ?? `${contactId}-${i + 1}`,
          contactId,
          name: e.name,
          at: new Date(e.at).toISOString(),
          // The first event of a contact with no contact line is the one that created it.
          data: { ...e.data, ...(i === 0 && !entry.contact?.createdAt ? { cause: `file:${contactId}` } : {}) },
        }));
        yield { contact, events };
      }
    },
  };
}
