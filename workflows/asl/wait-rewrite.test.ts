import './polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import type { AslDefinition } from './asl.ts';
import { parseJsonPath, readJsonPath } from './json-path.ts';
import { MAX_TIMER_SECONDS, rewriteWaits, WAIT_TASK_RESOURCE, type WaitRequest, waitDueAt } from './wait-rewrite.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

const definition: AslDefinition = {
  StartAt: 'Hold',
  States: {
    Hold: { Type: 'Wait', Comment: 'a day', Seconds: 86_400, Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      ResultPath: null,
      Next: 'Until',
      Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Wait', SecondsPath: '$.delay', End: true } } }],
    },
    Until: { Type: 'Wait', TimestampPath: '$.at', OutputPath: '$.at', End: true },
  },
};

describe('rewriteWaits', () => {
  it('turns every Wait, nested ones too, into a Task with the same name and transitions', () => {
    const { definition: rewritten, handlers } = rewriteWaits(definition, { waitUntil: async () => {} });

    expect(rewritten.States.Hold).toEqual({
      Type: 'Task',
      Comment: 'a day',
      Resource: WAIT_TASK_RESOURCE,
      TimeoutSeconds: MAX_TIMER_SECONDS,
      ResultPath: null,
      Next: 'Fan',
    });
    const branches = rewritten.States.Fan?.Branches as AslDefinition[] | undefined;
    expect(branches?.[0]?.States.Inner).toMatchObject({ Type: 'Task', Resource: WAIT_TASK_RESOURCE, End: true });
    expect(rewritten.States.Until).toMatchObject({ Type: 'Task', OutputPath: '$.at', End: true });
    expect(Object.keys(handlers).sort()).toEqual(['Hold', 'Inner', 'Until']);
    expect(definition.States.Hold?.Type).toBe('Wait');
  });

  it('asks the callback to wait until the due time on the given clock and passes the input through', async () => {
    const requests: WaitRequest[] = [];
    const { handlers } = rewriteWaits(definition, {
      now: () => T0,
      waitUntil: async (request) => {
        requests.push(request);
      },
    });
    const input = { delay: 60, at: new Date(T0 + DAY_MS).toISOString() };

    await expect(handlers.Hold?.(input)).resolves.toBe(input);
    await handlers.Inner?.(input);
    await handlers.Until?.(input);

    expect(requests).toEqual([
      { stateName: 'Hold', dueAt: T0 + DAY_MS, delayMs: DAY_MS },
      { stateName: 'Inner', dueAt: T0 + 60_000, delayMs: 60_000 },
      { stateName: 'Until', dueAt: T0 + DAY_MS, delayMs: DAY_MS },
    ]);
  });

  it('runs in aws-local-stepfunctions against a virtual clock, keeping Wait output semantics', async () => {
    let clock = T0;
    const { definition: rewritten, handlers } = rewriteWaits(definition, {
      now: () => clock,
      waitUntil: async ({ dueAt }) => {
        clock = Math.max(clock, dueAt);
      },
    });
    const machine = new StateMachine(rewritten as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const at = new Date(T0 + 3 * DAY_MS).toISOString();

    const output = await machine.run(
      { delay: 3600, at },
      { overrides: { taskResourceLocalHandlers: handlers as never } },
    ).result;

    expect(output).toBe(at);
    expect(clock).toBe(T0 + 3 * DAY_MS);
  });

  it('passes the InputPath-filtered input on, as a Wait does', async () => {
    const { definition: rewritten, handlers } = rewriteWaits(
      { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, InputPath: '$.keep', End: true } } },
      { waitUntil: async () => {} },
    );
    const machine = new StateMachine(rewritten as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });

    const output = await machine.run(
      { keep: { a: 1 }, drop: 2 },
      { overrides: { taskResourceLocalHandlers: handlers as never } },
    ).result;

    expect(output).toEqual({ a: 1 });
  });
});

describe('waitDueAt', () => {
  it('treats a past Timestamp as due now-or-earlier', () => {
    expect(waitDueAt({ Type: 'Wait', Timestamp: '2020-01-01T00:00:00Z' }, {}, T0)).toBeLessThan(T0);
  });

  it('rejects a SecondsPath that is missing or not a non-negative integer as States.Runtime', () => {
    expect(() => waitDueAt({ Type: 'Wait', SecondsPath: '$.nope' }, {}, T0)).toThrow(
      expect.objectContaining({ name: 'States.Runtime' }),
    );
    expect(() => waitDueAt({ Type: 'Wait', SecondsPath: '$.s' }, { s: -1 }, T0)).toThrow(/non-negative integer/);
    expect(() => waitDueAt({ Type: 'Wait', TimestampPath: '$.t' }, { t: 'tomorrow' }, T0)).toThrow(/RFC 3339/);
  });
});

describe('readJsonPath', () => {
  it('reads fields, indexes and bracketed names', () => {
    const value = { a: { b: [{ c: 1 }, { 'd e': 2 }] } };
    expect(readJsonPath(value, '$')).toBe(value);
    expect(readJsonPath(value, '$.a.b[0].c')).toBe(1);
    expect(readJsonPath(value, "$.a.b[1]['d e']")).toBe(2);
    expect(readJsonPath(value, '$.a.x.y')).toBeUndefined();
    expect(readJsonPath(value, '$.a.b[5]')).toBeUndefined();
  });

  it('rejects selectors that could match several values', () => {
    expect(() => parseJsonPath('$.a[*]')).toThrow(/unsupported selector/);
    expect(() => parseJsonPath('$..a')).toThrow(/field name/);
    expect(() => parseJsonPath('$$.Execution.Id')).toThrow(/state input/);
  });
});
