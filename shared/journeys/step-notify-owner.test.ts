import { beforeEach, describe, expect, it } from 'vitest';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';
import { deps, document, enroll, enrollmentId, mail, memory, request, resetStepFixture } from './step.fixture.ts';
import { runJourneyStep } from './step.ts';

/** Owner notifications through runJourneyStep: a task, or an email sent once. */

beforeEach(resetStepFixture);

describe('notify-owner', () => {
  it('creates one owner task with the message filled in, however often the step runs', async () => {
    await enroll();

    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell'));
    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell'));

    expect(await memory.store.listTasks()).toEqual([
      expect.objectContaining({
        status: 'open',
        subject: 'Hot lead: ada@example.com',
        message: 'Ada is in "Hot leads".',
        enrollmentId,
        nodeId: 'tell',
      }),
    ]);
    expect(mail.sent).toEqual([]);
  });

  it('emails the owner once for a notify-owner by email, even when the step is retried', async () => {
    await enroll();
    const byEmail = journeyNodeSchema.parse({ ...document.nodes.tell, channel: 'email' });

    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell', { node: byEmail }));
    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell', { node: byEmail }));

    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({
      to: 'owner@shop.example',
      from: 'Shop <hi@shop.example>',
      subject: 'Hot lead: ada@example.com',
      text: 'Ada is in "Hot leads".',
    });
    expect(mail.sent[0]?.html).toContain('&quot;Hot leads&quot;');
    expect(await memory.store.listTasks()).toEqual([expect.objectContaining({ status: 'done' })]);
  });

  it("emails the node's own recipient over the configured owner", async () => {
    await enroll();
    const byEmail = journeyNodeSchema.parse({ ...document.nodes.tell, channel: 'email', to: 'sales@shop.example' });

    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell', { node: byEmail }));

    expect(mail.sent.map((m) => m.to)).toEqual(['sales@shop.example']);
  });

  it('falls back to an open task when no owner address is configured for an email', async () => {
    await enroll();
    const byEmail = journeyNodeSchema.parse({ ...document.nodes.tell, channel: 'email' });

    await runJourneyStep(deps(), request('tell', { node: byEmail }));

    expect(mail.sent).toEqual([]);
    expect(await memory.store.listTasks('open')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('No owner email is configured') }),
    ]);
  });
});
