import type { BacktestReport } from '#journeys/backtest.ts';
import type { Violation } from '#workflows/violations.ts';

/** How `tend journeys` prints violations, path costs and backtest reports. */

export function printViolations(violations: Violation[] | undefined, heading: string) {
  if (!violations || violations.length === 0) return;
  if (heading) console.error(`${heading}:`);
  for (const v of violations) console.error(`  - ${v.path}: ${v.message}`);
}

export function formatPaths(paths: {
  paths: { nodes: string[]; transitions: number; choices: string[] }[];
  minTransitions: number;
  maxTransitions: number;
  truncated: boolean;
}): string {
  const lines = [
    `state transitions per enrollment: ${paths.minTransitions} to ${paths.maxTransitions} ($${((paths.maxTransitions * 0.025) / 1000).toFixed(6)} at most on Step Functions Standard)`,
  ];
  for (const p of paths.paths) lines.push(`  ${String(p.transitions).padStart(3)}  ${p.nodes.join(' → ')}`);
  if (paths.truncated) lines.push('  … more paths not listed');
  return lines.join('\n');
}

export function formatBacktest(r: BacktestReport): string {
  const money = Object.entries(r.revenue).map(([currency, minor]) => `${(minor / 100).toFixed(2)} ${currency}`);
  const lines = [
    `backtest of ${r.journeyId} from ${r.from} to ${r.to} (${r.durationMs} ms)`,
    `contacts scanned ${r.contactsScanned}${r.truncated ? ' (stopped at the limit)' : ''}, simulated ${r.candidates}`,
    `entered ${r.entered} (holdout ${r.holdout}), converted ${r.conversions}${money.length ? `, revenue ${money.join(', ')}` : ''}`,
    `ended: ${
      Object.entries(r.ended)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }; still active at the end ${r.activeAtEnd}`,
    'contacts per node:',
    ...Object.entries(r.nodes).map(([node, n]) => `  ${node.padEnd(24)} ${n}`),
    'emails:',
    ...Object.entries(r.emails).map(
      ([template, e]) =>
        `  ${template.padEnd(24)} sent ${e.sent}${Object.keys(e.skipped).length ? `, skipped ${JSON.stringify(e.skipped)}` : ''}${Object.keys(e.deferred).length ? `, deferred ${JSON.stringify(e.deferred)}` : ''}`,
    ),
    `owner tasks ${r.tasks}, webhooks ${r.webhooks}, state transitions ${r.transitions} (≈ $${r.estimatedCostUsd.toFixed(4)})`,
  ];
  for (const s of r.samples) lines.push(`example: ${s.contact}`, ...s.lines.map((l) => `  ${l}`));
  for (const f of r.failures) lines.push(`FAILED ${f.contactId} ${f.enrollmentId}: ${f.error}`);
  return lines.join('\n');
}
