import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { recordEmailEvent } from './email-events.ts';
import type { MailSender } from './mail.ts';
import { createMemoryMail } from './memory-mail.ts';
import { CONFIRMATION_WAIT_MS, type ConfirmationWait, sendCountingVisit, sendJourneyEmail } from './send-email.ts';
import { builtInCompiled } from './templating/compiled-built-ins.ts';
import { renderCompiled } from './templating/render.ts';
import type { CompiledTemplate } from './templating/template.schema.ts';

/** A send whose earlier attempt is in doubt: claimed, then the process died. */

const START = new Date('2026-11-23T10:00:00Z');
const receipt: CompiledTemplate = {
  ...((await builtInCompiled('welcome')) as CompiledTemplate),
  id: 'receipt',
  kind: 'transactional',
  topic: undefined,
};
const req = {
  contactId: 'c-1',
  enrollmentId: 'e-1',
  journeyId: 'onboarding',
  nodeId: 'welcome-email',
  template: 'receipt',
};

let memory: ReturnType<typeof createMemoryStore>;
let now: Date;
const clock: Clock = { now: () => now };
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

beforeEach(async () => {
  memory = createMemoryStore();
  now = START;
  const at = START.toISOString();
  await memory.store.createContact(
    { contactId: 'c-1', email: 'ada@example.com', properties: {}, createdAt: at, updatedAt: at, createdBy: 'test' },
    { eventId: 'created', contactId: 'c-1', name: 'contact.created', at, data: {} },
    [{ kind: 'email', value: 'ada@example.com' }],
  );
});

const deps = (mail: MailSender, confirmation?: ConfirmationWait) => ({
  store: memory.store,
  templates: { getCompiled: async (id: string) => (id === 'receipt' ? receipt : undefined) },
  render: renderCompiled,
  mail,
  clock,
  settings: {
    from: 'Shop <hi@shop.example>',
    senderName: 'Shop',
    publicUrl: 'https://api.shop.example',
    postalAddress: '1 Example Street',
    linkSecret: 's'.repeat(32),
    defaultTimeZone: 'UTC',
  },
  ...(confirmation ? { confirmation } : {}),
});

/** A wait whose sleeps move the test clock; `onSleep` runs after each. */
function waiting(windowMs: number, onSleep: (slept: number) => Promise<void> = async () => {}) {
  const sleeps: number[] = [];
  const wait: ConfirmationWait = {
    windowMs,
    holdMs: 20_000,
    pollMs: 1_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      advance(ms);
      await onSleep(sleeps.length);
    },
  };
  return { wait, sleeps };
}

/** The first attempt: hands the email to SES, then the process dies before recording it. */
async function crashAfterSes(mail: ReturnType<typeof createMemoryMail>) {
  const crashing: MailSender = {
    send: async (email) => {
      await mail.send(email);
      throw new Error('process died after SES accepted');
    },
  };
  await expect(sendJourneyEmail(deps(crashing), req)).rejects.toThrow('process died');
}

/** The first attempt: claims the send, then dies before SES has it. */
async function crashBeforeSes() {
  const down: MailSender = { send: async () => Promise.reject(new Error('process died before SES')) };
  await expect(sendJourneyEmail(deps(down), req)).rejects.toThrow('before SES');
}

const sesSendEvent = (messageId: string) =>
  recordEmailEvent(
    { store: memory.store },
    {
      eventType: 'Send',
      mail: {
        messageId,
        timestamp: now.toISOString(),
        destination: ['ada@example.com'],
        tags: { contactId: ['c-1'], enrollment: ['e-1'], node: ['welcome-email'] },
      },
    },
  );

const sentEvents = async () => (await memory.store.listEvents('c-1', 100)).filter((e) => e.name === 'email.sent');

describe('a journey send whose earlier attempt is in doubt', () => {
  it('waits in the invocation for SES to confirm the earlier attempt, then answers as it sent and records it', async () => {
    const mail = createMemoryMail();
    await crashAfterSes(mail);
    advance(2_000);
    // SES's Send event arrives while the retry waits (on its third look).
    const { wait, sleeps } = waiting(CONFIRMATION_WAIT_MS, async (n) => {
      if (n === 3) await sesSendEvent('m-1');
    });

    expect(await sendJourneyEmail(deps(mail, wait), req)).toEqual({ status: 'already-sent', messageId: 'm-1' });

    expect(sleeps).toEqual([1_000, 1_000, 1_000]);
    expect(mail.sent).toHaveLength(1);
    // The attempt that sent it never recorded it: the send is completed now.
    expect(await memory.store.getMessageRef('m-1')).toEqual({
      messageId: 'm-1',
      contactId: 'c-1',
      sendKey: 'e-1#welcome-email',
    });
    expect((await sentEvents()).map((e) => e.data.messageId)).toEqual(['m-1']);
  });

  it('sends within the invocation once the window from the claim has passed unconfirmed', async () => {
    const mail = createMemoryMail();
    await crashBeforeSes();
    advance(5_000);
    const { wait, sleeps } = waiting(8_000);

    expect(await sendJourneyEmail(deps(mail, wait), req)).toMatchObject({ status: 'sent', messageId: 'm-1' });

    // Looked each second until the claim was 8 s old, not longer.
    expect(sleeps).toEqual([1_000, 1_000, 1_000]);
    expect(mail.sent).toHaveLength(1);
    expect((await sentEvents()).map((e) => e.data.messageId)).toEqual(['m-1']);
  });

  it('hands back to the task retry after holding its longest, and a later retry sends', async () => {
    const mail = createMemoryMail();
    await crashBeforeSes();
    const { wait, sleeps } = waiting(CONFIRMATION_WAIT_MS);

    await expect(sendJourneyEmail(deps(mail, wait), req)).rejects.toMatchObject({ name: 'TransientError' });
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(mail.sent).toHaveLength(0);

    advance(CONFIRMATION_WAIT_MS);
    expect(await sendJourneyEmail(deps(mail, wait), req)).toMatchObject({ status: 'sent' });
    expect(mail.sent).toHaveLength(1);
  });

  it('sends at once when a time-scaled window has long passed (a local restart)', async () => {
    const mail = createMemoryMail();
    await crashBeforeSes();
    advance(10_000);
    const { wait, sleeps } = waiting(CONFIRMATION_WAIT_MS / 864_000);

    expect(await sendJourneyEmail(deps(mail, wait), req)).toMatchObject({ status: 'sent' });
    expect(sleeps).toEqual([]);
    expect(mail.sent).toHaveLength(1);
  });

  it('completes the record of a send SES confirmed before the attempt could record it', async () => {
    const mail = createMemoryMail();
    await crashAfterSes(mail);
    await sesSendEvent('m-1');
    const { wait, sleeps } = waiting(CONFIRMATION_WAIT_MS);

    expect(await sendJourneyEmail(deps(mail, wait), req)).toEqual({ status: 'already-sent', messageId: 'm-1' });
    expect(await sendJourneyEmail(deps(mail, wait), req)).toEqual({ status: 'already-sent', messageId: 'm-1' });

    expect(sleeps).toEqual([]);
    expect(mail.sent).toHaveLength(1);
    expect((await sentEvents()).map((e) => e.data.messageId)).toEqual(['m-1']);
    expect(await memory.store.getMessageRef('m-1')).toMatchObject({ sendKey: 'e-1#welcome-email' });
  });

  it('takes the claim over when it resends, so a resend that dies after SES accepted is waited for, not repeated', async () => {
    const mail = createMemoryMail();
    await crashBeforeSes();
    advance(CONFIRMATION_WAIT_MS + 1_000);
    const crashing: MailSender = {
      send: async (email) => {
        await mail.send(email);
        throw new Error('process died after SES accepted');
      },
    };
    await expect(sendJourneyEmail(deps(crashing, waiting(CONFIRMATION_WAIT_MS).wait), req)).rejects.toThrow(
      'process died',
    );
    expect(mail.sent).toHaveLength(1);

    advance(2_000);
    const { wait, sleeps } = waiting(CONFIRMATION_WAIT_MS, async (n) => {
      if (n === 2) await sesSendEvent('m-1');
    });
    expect(await sendJourneyEmail(deps(mail, wait), req)).toEqual({ status: 'already-sent', messageId: 'm-1' });
    expect(sleeps).toEqual([1_000, 1_000]);
    expect(mail.sent).toHaveLength(1);
  });
});

describe("a journey send's visit when the send writes no event", () => {
  const counter = () => {
    const counted = { visits: 0 };
    return { counted, count: async () => void counted.visits++ };
  };

  it('is counted when the send fails, and the failure is what the task sees', async () => {
    const { counted, count } = counter();
    const down: MailSender = { send: async () => Promise.reject(new Error('SES is down')) };

    await expect(sendCountingVisit(() => sendJourneyEmail(deps(down), req), count)).rejects.toThrow('SES is down');
    await expect(
      sendCountingVisit(
        () => sendJourneyEmail(deps(down), { ...req, template: 'missing' }),
        async () => Promise.reject(new Error('the count failed too')),
      ),
    ).rejects.toThrow('template "missing" does not exist');

    expect(counted.visits).toBe(1);
  });

  it('is counted when the contact is gone, and left to aggregate-events when the send writes its event', async () => {
    const { counted, count } = counter();
    const mail = createMemoryMail();

    const gone = await sendCountingVisit(() => sendJourneyEmail(deps(mail), { ...req, contactId: 'c-gone' }), count);
    expect(gone).toEqual({ status: 'skipped', reason: 'contact-missing' });
    expect(counted.visits).toBe(1);

    const sent = await sendCountingVisit(() => sendJourneyEmail(deps(mail), { ...req, journeyVersion: 3 }), count);
    expect(sent.status).toBe('sent');
    expect(counted.visits).toBe(1);
    const events = await memory.store.listEvents('c-1', 10);
    expect(events.find((e) => e.name === 'email.sent')?.data).toMatchObject({
      journeyId: 'onboarding',
      journeyVersion: 3,
      enrollmentId: 'e-1',
      nodeId: 'welcome-email',
    });
  });
});
