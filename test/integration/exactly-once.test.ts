import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { createTemplateCatalog } from '#messaging/built-in-catalog.ts';
import type { MailSender } from '#messaging/mail.ts';
import { sendJourneyEmail } from '#messaging/send-email.ts';
import { createSesMailSender } from '#messaging/ses-mail.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { LOCAL_TABLE_NAME } from '../../infra/local/table.ts';
import { db, emailsTo, eventually, getContact, postWebhook, stack, uniqueEmail } from '../support/local.ts';

const ses = new SESv2Client({
  region: 'us-east-1',
  endpoint: stack.sesApi,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

describe('a send task retried after a crash between SES accepting and the task finishing', () => {
  it('sends one email, not two', async () => {
    const email = uniqueEmail('crash');
    await postWebhook({ body: JSON.stringify({ email, firstName: 'Cass' }) });
    // Let the contact's own onboarding journey finish first: its two emails are not ours.
    const { body: view } = await eventually('the onboarding journey to finish', async () => {
      const found = await getContact(email);
      return found.body.timeline?.some((e) => e.name === 'journey.exited') ? found : undefined;
    });
    expect(await emailsTo(email)).toHaveLength(2);
    const store = createDynamoStore(db, LOCAL_TABLE_NAME);
    const ses_ = createSesMailSender(ses);
    // The real SES path, followed by a crash before the task can record anything.
    const crashing: MailSender = {
      send: async (message) => {
        await ses_.send(message);
        throw new Error('the process died after SES accepted the email');
      },
    };
    const deps = (mail: MailSender) => ({
      store,
      templates: createTemplateCatalog(store),
      render: renderCompiled,
      mail,
      clock: { now: () => new Date() },
      settings: {
        from: 'Shop <hi@shop.example>',
        senderName: 'Shop',
        publicUrl: stack.api,
        postalAddress: '1 Example Street',
        linkSecret: 'x'.repeat(32),
        defaultTimeZone: 'UTC',
      },
    });
    const req = {
      contactId: view.contact.contactId,
      enrollmentId: `e-crash-${Date.now()}`,
      journeyId: 'onboarding',
      nodeId: 'tips-email',
      template: 'tips',
    };
    await expect(sendJourneyEmail(deps(crashing), req)).rejects.toThrow('process died');
    // SES's Send event (published by the local stack as on AWS) has recorded the send.
    const retried = await sendJourneyEmail(deps(ses_), req);
    expect(retried.status).toBe('already-sent');
    expect(await emailsTo(email)).toHaveLength(3);
  });
});
