import { readFileSync } from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { builtInTemplateIds as templateIds } from '#templating/compiled-built-ins.ts';
import { compileJourney } from './compile.ts';
import { builtInJourney } from './journeys/index.ts';

const targets = { sendEmail: '${SendEmailFunctionArn}', endEnrollment: '${EndEnrollmentFunctionArn}' };
const onboarding = builtInJourney('onboarding', templateIds);
const { definition, transitionsPerPath } = compileJourney(onboarding, targets);

describe('compileJourney (onboarding)', () => {
  it('names states after node ids, plus the error path', () => {
    expect(Object.keys(definition.States).sort()).toEqual(
      [
        'done',
        'failed',
        'on-error',
        'tips-email',
        'tips-email:deferred?',
        'tips-email:wait',
        'wait-2-days',
        'welcome-email',
        'welcome-email:deferred?',
        'welcome-email:wait',
      ].sort(),
    );
    expect(definition.StartAt).toBe('welcome-email');
  });

  it('gives every Task a timeout, a retry and a catch', () => {
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBe(4);
    for (const [, task] of tasks) {
      expect(task.TimeoutSeconds).toBeGreaterThan(0);
      expect(task.Retry).toEqual([
        expect.objectContaining({ ErrorEquals: expect.arrayContaining(['TransientError']) }),
      ]);
      expect(task.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]);
    }
  });

  it('compiles the two-day wait to seconds and sends the right templates', () => {
    expect(definition.States['wait-2-days']).toMatchObject({ Type: 'Wait', Seconds: 172_800, Next: 'tips-email' });
    expect(definition.States['welcome-email']).toMatchObject({
      Resource: targets.sendEmail,
      Parameters: expect.objectContaining({ template: 'welcome', nodeId: 'welcome-email' }),
    });
    expect(definition.States['tips-email']).toMatchObject({
      Parameters: expect.objectContaining({ template: 'tips' }),
    });
  });

  it('loops a deferred send through a wait back to the same send', () => {
    expect(definition.States['welcome-email']).toMatchObject({ ResultPath: '$.send', Next: 'welcome-email:deferred?' });
    expect(definition.States['welcome-email:deferred?']).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.send.status', StringEquals: 'deferred', Next: 'welcome-email:wait' }],
      Default: 'wait-2-days',
    });
    expect(definition.States['welcome-email:wait']).toEqual({
      Type: 'Wait',
      TimestampPath: '$.send.until',
      Next: 'welcome-email',
    });
  });

  it('reports the state transitions of its one path', () => {
    expect(transitionsPerPath).toEqual([
      { path: ['welcome-email', 'wait-2-days', 'tips-email', 'done'], transitions: 6 },
    ]);
  });

  it('is valid ASL', () => {
    const concrete = JSON.parse(
      JSON.stringify(definition)
        .replaceAll('${SendEmailFunctionArn}', 'arn:aws:lambda:us-east-1:123456789012:function:send')
        .replaceAll('${EndEnrollmentFunctionArn}', 'arn:aws:lambda:us-east-1:123456789012:function:end'),
    );
    const result = aslValidator(concrete);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('matches the golden file', () => {
    const golden = JSON.parse(readFileSync(path.join(import.meta.dirname, 'journeys/onboarding.asl.json'), 'utf8'));
    expect(definition).toEqual(golden);
  });
});
