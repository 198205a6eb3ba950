import { describe, expect, it } from 'vitest';
import { builtInTemplateIds as templateIds } from '#templating/compiled-built-ins.ts';
import onboarding from './journeys/onboarding.json' with { type: 'json' };
import { validateJourney } from './validate.ts';

const withNodes = (nodes: Record<string, unknown>, start = 'a') => ({ ...onboarding, start, nodes });

describe('validateJourney', () => {
  it('accepts the built-in onboarding journey', () => {
    expect(validateJourney(onboarding, templateIds)).toMatchObject({ ok: true });
  });

  it('names a dangling successor, an unknown template and an unreachable node', () => {
    const result = validateJourney(
      withNodes({
        a: { type: 'send-email', template: 'nope', next: 'missing' },
        b: { type: 'exit' },
      }),
      templateIds,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violations).toEqual(
      expect.arrayContaining([
        { nodeId: 'a', path: '$.nodes.a.next', message: '"a" leads to "missing", which is not a node' },
        { nodeId: 'a', path: '$.nodes.a.template', message: '"a" sends template "nope", which does not exist' },
        { nodeId: 'b', path: '$.nodes.b', message: '"b" can never be reached from "a"' },
      ]),
    );
  });

  it('refuses loops, waits over a year and reserved names', () => {
    const result = validateJourney(
      withNodes({
        a: { type: 'wait', duration: { days: 400 }, next: 'failed' },
        failed: { type: 'wait', duration: { days: 1 }, next: 'a' },
        c: { type: 'exit' },
      }),
      templateIds,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = result.violations.map((v) => v.message);
    expect(messages).toContain('"a" waits longer than one year');
    expect(messages).toContain('"failed" is reserved for error handling; rename the node');
    expect(messages).toContain('the journey loops back on itself; this version allows no loops');
  });

  it('reports schema errors with their JSON path and node', () => {
    const result = validateJourney(withNodes({ a: { type: 'teleport' } }), templateIds);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violations[0]).toMatchObject({ nodeId: 'a', path: '$.nodes.a.type' });
  });
});
