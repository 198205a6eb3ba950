import type { EventKind, EventKindCalls } from './event-kinds.ts';

const TITLES: Record<EventKind, string> = {
  form: "(a) a new contact's form webhook → welcome email",
  order: '(b) an order (`order.placed`) from an existing contact',
};

const num = (value: number | undefined) =>
  value === undefined ? '–' : value === 0 ? '<0.01' : value.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** Rows of one kind's breakdown: each label's calls per event under load and one at a time. */
function breakdown(kind: EventKind, load: EventKindCalls | undefined, single: EventKindCalls | undefined): string[] {
  const labels = [...new Set([...Object.keys(load?.perEvent ?? {}), ...Object.keys(single?.perEvent ?? {})])];
  const functions = [
    ...new Set([...Object.keys(load?.dynamoByFunction ?? {}), ...Object.keys(single?.dynamoByFunction ?? {})]),
  ];
  const excluded = (r: EventKindCalls | undefined) =>
    Object.entries(r?.excluded ?? {})
      .map(([label, n]) => `${label} ×${n}`)
      .join('; ') || 'none';
  return [
    `| ${TITLES[kind]}: calls per event | Under load (n=${num(load?.events)}) | One at a time (n=${num(single?.events)}) |`,
    '| --- | ---: | ---: |',
    ...labels.map((l) => `| ${l} | ${num(load?.perEvent[l])} | ${num(single?.perEvent[l])} |`),
    `| **all DynamoDB calls** (budget ≤ ${load?.budget ?? single?.budget}) | **${num(load?.dynamoPerEvent)}** | **${num(single?.dynamoPerEvent)}** |`,
    ...functions.map(
      (f) =>
        `| DynamoDB calls made by \`${f}\` | ${num(load?.dynamoByFunction[f])} | ${num(single?.dynamoByFunction[f])} |`,
    ),
    '',
    `Not counted (they run whatever arrives), under load: ${excluded(load)}; one at a time: ${excluded(single)}.`,
    '',
  ];
}

/** The per-event-kind section of the report: totals against the budgets, then each breakdown. */
export function eventKindsMarkdown(results: readonly EventKindCalls[]): string[] {
  const find = (kind: EventKind, mode: EventKindCalls['mode']) =>
    results.find((r) => r.kind === kind && r.mode === mode);
  const kinds: EventKind[] = ['form', 'order'];
  const verdict = (kind: EventKind) => {
    const worst = Math.max(...results.filter((r) => r.kind === kind).map((r) => r.dynamoPerEvent));
    const budget = find(kind, 'under load')?.budget ?? find(kind, 'one at a time')?.budget ?? 0;
    return worst <= budget ? 'yes' : `no (${num(worst / budget)}×)`;
  };
  return [
    '| DynamoDB calls per event, everything it sets off until the stack is quiet | Under load | One at a time | Budget | Within budget |',
    '| --- | ---: | ---: | ---: | :---: |',
    ...kinds.map(
      (k) =>
        `| ${TITLES[k]} | ${num(find(k, 'under load')?.dynamoPerEvent)} | ${num(find(k, 'one at a time')?.dynamoPerEvent)} | ≤ ${find(k, 'under load')?.budget ?? find(k, 'one at a time')?.budget} | ${verdict(k)} |`,
    ),
    '',
    ...kinds.flatMap((k) => breakdown(k, find(k, 'under load'), find(k, 'one at a time'))),
  ];
}
