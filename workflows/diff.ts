import { formatDuration } from './compile.ts';
import type { Journey, JourneyNode } from './journey.schema.ts';
import { durationSeconds } from './journey-nodes.ts';
import type { Trigger } from './trigger.schema.ts';

/**
 * A readable diff between two versions of a journey: one line per change, in words, e.g.
 *   node "reminder": template "cart-reminder" → "cart-nudge"
 *   added node "sms-check" (branch)
 *   settings: reentry.mode "never" → "always"
 * Pure; stored with each published version and shown by `tend journeys history`.
 */
export function diffJourneys(before: Journey | undefined, after: Journey): string[] {
  if (!before) return [`first version: ${Object.keys(after.nodes).length} nodes, ${after.triggers.length} trigger(s)`];
  const lines: string[] = [];
  if (before.name !== after.name) lines.push(`name ${q(before.name)} → ${q(after.name)}`);
  if (before.description !== after.description) lines.push('description changed');
  if (before.start !== after.start) lines.push(`starts at ${q(after.start)} instead of ${q(before.start)}`);

  const triggerCount = Math.max(before.triggers.length, after.triggers.length);
  for (let i = 0; i < triggerCount; i++) {
    const a = before.triggers[i];
    const b = after.triggers[i];
    if (!a && b) lines.push(`added trigger ${i + 1}: ${describeTrigger(b)}`);
    else if (a && !b) lines.push(`removed trigger ${i + 1}: ${describeTrigger(a)}`);
    else if (a && b) for (const change of fieldChanges(a, b)) lines.push(`trigger ${i + 1}: ${change}`);
  }

  for (const [id, node] of Object.entries(after.nodes)) {
    const old = before.nodes[id];
    if (!old) lines.push(`added node ${q(id)} (${describeNode(node)})`);
    else if (old.type !== node.type) lines.push(`node ${q(id)} is now ${describeNode(node)} (was ${old.type})`);
    else for (const change of fieldChanges(old, node)) lines.push(`node ${q(id)}: ${change}`);
  }
  for (const [id, node] of Object.entries(before.nodes)) {
    if (!after.nodes[id]) lines.push(`removed node ${q(id)} (${describeNode(node)})`);
  }
  for (const change of fieldChanges(before.settings, after.settings)) lines.push(`settings: ${change}`);
  return lines.length > 0 ? lines : ['no changes to the journey itself (published again)'];
}

const q = (s: string) => JSON.stringify(s);

function describeTrigger(t: Trigger): string {
  switch (t.type) {
    case 'event':
      return `on ${t.event}${t.where.length ? ` where ${t.where.map((f) => `${f.path} ${f.op}${f.value === undefined ? '' : ` ${JSON.stringify(f.value)}`}`).join(' and ')}` : ''}${t.correlationKey ? ` (correlated by ${t.correlationKey})` : ''}`;
    case 'date':
      return `${t.repeat === 'yearly' ? 'every year on' : 'on'} ${t.property} at ${t.at}`;
    case 'inactivity':
      return `no ${t.event} for ${formatDuration(durationSeconds(t.after))}`;
    case 'schedule':
      return `every ${t.every} at ${t.at}`;
    case 'segment':
      return `on ${t.on === 'enter' ? 'entering' : 'leaving'} segment ${q(t.segment)}`;
  }
}

function describeNode(node: JourneyNode): string {
  switch (node.type) {
    case 'send-email':
      return `send-email ${q(node.template)}`;
    case 'wait':
      return `wait ${formatDuration(durationSeconds(node.duration))}`;
    case 'wait-for-event':
      return `wait-for-event ${node.event}`;
    default:
      return node.type;
  }
}

/** Leaf-level differences between two JSON values, as `path old → new`. */
function fieldChanges(a: unknown, b: unknown): string[] {
  const flatA = flatten(a);
  const flatB = flatten(b);
  const changes: string[] = [];
  for (const key of new Set([...flatA.keys(), ...flatB.keys()])) {
    const x = flatA.get(key);
    const y = flatB.get(key);
    if (x === y) continue;
    const label = key || 'value';
    if (x === undefined) changes.push(`${label} set to ${y}`);
    else if (y === undefined) changes.push(`${label} removed (was ${x})`);
    else changes.push(`${label} ${x} → ${y}`);
  }
  return changes;
}

function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    for (const [i, child] of value.entries()) flatten(child, `${prefix}[${i}]`, out);
    if (value.length === 0) out.set(prefix, '[]');
  } else if (value !== undefined) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}
