import { readFileSync } from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import ids from '../templates/compiled/ids.json' with { type: 'json' };
import type { AslState } from './asl/asl.ts';
import { compileJourney } from './compile.ts';
import { GOLDEN_TARGETS, goldenAsl, journeyJsonSchema } from './golden.ts';
import { journeySchema } from './journey.schema.ts';
import { BUILT_IN_JOURNEY_IDS, builtInJourney } from './journeys/index.ts';
import { fusedDecisions, pathsOf } from './paths.ts';

/** The shipped templates' ids, as the API and CLI know them. */
const templateIds: ReadonlySet<string> = new Set(ids);

const targets = GOLDEN_TARGETS;

/** A journey using every node type once (and every successor field). */
const everyNode = journeySchema.parse({
  schemaVersion: 1,
  id: 'every-node',
  name: 'Every node',
  triggers: [{ type: 'event', event: 'checkout.started', correlationKey: 'cartId' }],
  start: 'wait-order',
  nodes: {
    'wait-order': {
      type: 'wait-for-event',
      event: 'order.placed',
      correlate: true,
      timeout: { hours: 1 },
      next: 'bought',
      onTimeout: 'which',
    },
    which: {
      type: 'branch',
      conditions: [{ kind: 'tag', tag: 'vip' }],
      onTrue: 'morning',
      onFalse: 'segment',
    },
    segment: {
      type: 'split',
      branches: [
        {
          name: 'big',
          conditions: [{ kind: 'property', property: 'properties.ltv', op: 'gte', value: 100 }],
          next: 'ab',
        },
      ],
      else: 'ab',
    },
    ab: {
      type: 'random-split',
      branches: [
        { name: 'a', percent: 50, next: 'remind' },
        { name: 'b', percent: 50, next: 'pause' },
      ],
    },
    morning: { type: 'wait-until', until: { time: '09:00', weekdays: ['mon'] }, next: 'remind' },
    pause: { type: 'wait', duration: { days: 1 }, next: 'remind' },
    remind: { type: 'send-email', template: 'cart-reminder', next: 'tag' },
    tag: { type: 'update-contact', changes: [{ op: 'add-tag', tag: 'reminded' }], next: 'hook' },
    hook: { type: 'webhook', endpoint: 'ep-1', next: 'tell' },
    tell: { type: 'notify-owner', channel: 'task', subject: 'Cart', message: 'Call {{ contact.email }}', next: 'done' },
    bought: { type: 'goal', name: 'purchased' },
    done: { type: 'exit' },
  },
  settings: { quietHours: { start: '21:00', end: '08:00' }, frequencyCap: { max: 2, periodHours: 24 } },
});

describe('compileJourney', () => {
  const { definition, paths } = compileJourney(everyNode, targets);
  const state = (name: string) => definition.States[name] as AslState;

  it('names states after node ids, with readable helper states and the error path', () => {
    expect(Object.keys(definition.States).sort()).toEqual(
      [
        'ab',
        'ab:route',
        'bought',
        'done',
        'exited',
        'failed',
        'hook',
        'morning',
        'morning:wait',
        'on-error',
        'pause',
        'remind',
        'remind:route',
        'remind:wait',
        'segment',
        'segment:route',
        'tag',
        'tell',
        'wait-order',
        'which',
        'which:route',
      ].sort(),
    );
    expect(definition.StartAt).toBe('wait-order');
  });

  it('gives every Task an explicit timeout, a retry and a catch that ends the enrollment', () => {
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBe(12); // 11 nodes' tasks and on-error
    for (const [name, task] of tasks) {
      expect(task.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(task.Retry, name).toEqual([
        expect.objectContaining({ ErrorEquals: expect.arrayContaining(['TransientError']) }),
      ]);
      expect(task.Catch, name).toEqual(
        expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'] })]),
      );
    }
  });

  it('waits for the event with a task token, times out to its own branch and never retries the timeout', () => {
    const wait = state('wait-order');
    expect(wait).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 3600,
      Next: 'bought',
      Parameters: {
        FunctionName: '${JourneyStepFunctionArn}',
        Payload: expect.objectContaining({
          action: 'wait-for-event',
          'taskToken.$': '$$.Task.Token',
          nodeId: 'wait-order',
        }),
      },
    });
    expect(wait.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'which' },
      { ErrorEquals: ['EnrollmentExited'], ResultPath: null, Next: 'exited' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'on-error' },
    ]);
    expect(JSON.stringify(wait.Retry)).not.toContain('States.Timeout');
  });

  it('routes branches and splits on the successor the step returns, defaulting to the last', () => {
    expect(state('which:route')).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.step.next', StringEquals: 'morning', Next: 'morning' }],
      Default: 'segment',
    });
    // Both split outcomes lead to "ab": one successor, so the Choice only has a default.
    expect(state('segment:route')).toEqual({ Type: 'Choice', Choices: [], Default: 'ab' });
    expect(state('ab:route')).toMatchObject({
      Default: 'pause',
      Choices: [{ StringEquals: 'remind', Next: 'remind' }],
    });
  });

  it('passes quiet hours, the cap and the topic to each send, and loops a deferral through a Wait', () => {
    expect(state('remind').Parameters).toMatchObject({
      template: 'cart-reminder',
      quietHours: { start: '21:00', end: '08:00', fallback: 'defer' },
      frequencyCap: { max: 2, periodHours: 24 },
    });
    expect(state('remind:route')).toMatchObject({
      Choices: [{ StringEquals: 'deferred', Next: 'remind:wait' }],
      Default: 'tag',
    });
    expect(state('remind:wait')).toEqual({ Type: 'Wait', TimestampPath: '$.send.until', Next: 'remind' });
  });

  it('computes wait-until in a step, then waits for that timestamp', () => {
    expect(state('morning')).toMatchObject({ ResultPath: '$.step', Next: 'morning:wait' });
    expect(state('morning:wait')).toEqual({ Type: 'Wait', TimestampPath: '$.step.until', Next: 'remind' });
    expect(state('pause')).toMatchObject({ Type: 'Wait', Seconds: 86_400, Next: 'remind' });
  });

  it('ends a goal without successor in the same step, and an exit through end-enrollment', () => {
    expect(state('bought')).toMatchObject({ End: true, Parameters: expect.objectContaining({ action: 'goal' }) });
    expect(state('done')).toMatchObject({
      Resource: '${EndEnrollmentFunctionArn}',
      End: true,
      Parameters: expect.objectContaining({ outcome: 'completed' }),
    });
    expect(state('exited')).toMatchObject({ Type: 'Succeed' });
  });

  it('reports the transitions each path costs', () => {
    expect(paths.paths.find((p) => p.nodes.join(' ') === 'wait-order bought')?.transitions).toBe(2);
    const longest = paths.paths.find((p) => p.nodes.join(' ') === 'wait-order which morning remind tag hook tell done');
    // wait(1) branch(2) wait-until(2) send(2) update(1) webhook(1) notify(1) exit(1)
    expect(longest?.transitions).toBe(11);
    expect(longest?.choices).toEqual(['wait-order: timeout', 'which: yes']);
    expect(paths.minTransitions).toBe(2);
    expect(paths.paths).toHaveLength(6);
  });

  it('emits a definition asl-validator accepts, for every built-in journey', () => {
    for (const id of BUILT_IN_JOURNEY_IDS) {
      const compiled = compileJourney(builtInJourney(id, templateIds), {
        sendEmail: 'arn:aws:lambda:us-east-1:000000000000:function:send-email',
        endEnrollment: 'arn:aws:lambda:us-east-1:000000000000:function:end-enrollment',
        journeyStep: 'arn:aws:lambda:us-east-1:000000000000:function:journey-step',
      });
      // JSONPath only: the local endpoint ignores JSONata. (asl-validator adds defaults, so check first.)
      expect(JSON.stringify(compiled.definition)).not.toContain('QueryLanguage');
      const { isValid, errorsText } = aslValidator(structuredClone(compiled.definition) as never);
      expect(isValid, `${id}: ${errorsText()}`).toBe(true);
    }
  });

  it('is deterministic', () => {
    expect(JSON.stringify(compileJourney(everyNode, targets))).toBe(JSON.stringify(compileJourney(everyNode, targets)));
  });
});

describe('a contact update and the decision after it', () => {
  const tiers = (extra: Record<string, unknown> = {}) =>
    journeySchema.parse({
      schemaVersion: 1,
      id: 'tiers',
      name: 'Tiers',
      triggers: [{ type: 'event', event: 'order.placed' }],
      start: 'points',
      nodes: {
        points: { type: 'update-contact', changes: [{ op: 'set', property: 'seen', value: true }], next: 'tier' },
        tier: {
          type: 'split',
          branches: [
            {
              name: 'gold',
              conditions: [{ kind: 'property', property: 'properties.points', op: 'gte', value: 1000 }],
              next: 'gold',
            },
          ],
          else: 'done',
        },
        gold: { type: 'update-contact', changes: [{ op: 'add-tag', tag: 'gold' }], next: 'done' },
        done: { type: 'exit' },
        ...extra,
      },
      settings: { reentry: { mode: 'always' } },
    });

  it("runs the decision in the update's Task when the update is its only way in", () => {
    const journey = tiers();
    const { States } = compileJourney(journey, targets).definition;

    expect(fusedDecisions(journey)).toEqual(new Map([['points', 'tier']]));
    expect(States.tier).toBeUndefined();
    expect(States.points).toMatchObject({
      Type: 'Task',
      Resource: targets.journeyStep,
      Parameters: {
        action: 'update-contact',
        node: journey.nodes.points,
        decision: { nodeId: 'tier', node: journey.nodes.tier },
      },
      ResultPath: '$.step',
      Next: 'tier:route',
    });
    expect(States['tier:route']).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.step.next', StringEquals: 'gold', Next: 'gold' }],
      Default: 'done',
    });
    // points (1) + the Choice (1) + done (1); through gold one more Task.
    expect(pathsOf(journey)).toMatchObject({ minTransitions: 3, maxTransitions: 4 });
  });

  it('keeps the decision as its own Task when something else also leads to it', () => {
    const journey = tiers({ later: { type: 'wait', duration: { days: 1 }, next: 'tier' } });
    const withLater = journeySchema.parse({
      ...journey,
      nodes: { ...journey.nodes, gold: { ...journey.nodes.gold, next: 'later' } },
    });
    const { States } = compileJourney(withLater, targets).definition;

    expect(fusedDecisions(withLater).size).toBe(0);
    expect(States.tier).toMatchObject({ Type: 'Task', Next: 'tier:route' });
    expect(States.points).toMatchObject({ Next: 'tier', ResultPath: null });
    expect(States.points?.Parameters).not.toHaveProperty('decision');
  });
});

describe('golden files', () => {
  it.each(BUILT_IN_JOURNEY_IDS)('%s.asl.json matches the compiler (run `npm run journeys:golden`)', (id) => {
    const golden = readFileSync(path.join(import.meta.dirname, 'journeys', `${id}.asl.json`), 'utf8');
    expect(golden).toBe(goldenAsl(builtInJourney(id, templateIds), targets));
  });

  it('journey.schema.json matches the zod schema (run `npm run journeys:golden`)', () => {
    expect(readFileSync(path.join(import.meta.dirname, 'journey.schema.json'), 'utf8')).toBe(journeyJsonSchema());
  });

  it('costs what the abandoned cart promises: 2 transitions to convert at once, at most 7', () => {
    const report = pathsOf(builtInJourney('abandoned-cart', templateIds));
    expect(report.minTransitions).toBe(2);
    // wait(1) reminder(2) wait(1) last reminder(2) exit(1)
    expect(report.maxTransitions).toBe(7);
  });
});
