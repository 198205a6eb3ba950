import { describe, expect, it } from 'vitest';
import { type FunctionUse, type MeasuredMonth, monthlyBill } from './cost-bill.ts';

const month = (functions: Record<string, FunctionUse>): MeasuredMonth => ({
  scale: 10,
  contacts: 1,
  events: 10,
  emails: 0,
  enrollments: 0,
  functions,
  transitions: 0,
  executionLogBytes: 0,
  eventBridgeEvents: 0,
  apiRequests: 0,
  kmsCalls: 0,
  secretsCalls: 0,
  customMetrics: [],
  tableBytes: 0,
  sources: 1,
});
const use = (over: Partial<FunctionUse>): FunctionUse => ({
  invocations: 0,
  billedMs: 0,
  memoryMb: 512,
  readUnits: 0,
  writeUnits: 0,
  refusedWrites: 0,
  logBytes: 0,
  logLines: 0,
  scheduled: false,
  ...over,
});
const writeUnits = (m: MeasuredMonth) =>
  Number(
    monthlyBill(m)
      .find((l) => l.component === 'DynamoDB write request units')
      ?.quantity.replace(/,/g, ''),
  );

describe('the monthly bill', () => {
  it('scales what event-driven functions used with the traffic', () => {
    expect(writeUnits(month({ 'process-inbox': use({ invocations: 4, writeUnits: 30 }) }))).toBe(300);
  });

  it('bills a schedule its idle run × 43,200 plus its work beyond idle scaled with the traffic', () => {
    const scheduler = use({
      scheduled: true,
      invocations: 3,
      writeUnits: 3 * 2 + 50,
      idle: { runs: 2, billedMs: 0, readUnits: 0, writeUnits: 4, logBytes: 0, logLines: 0 },
    });
    // 2 units an idle run × 43,200, and (56 − 3 × 2) units of work × 10.
    expect(writeUnits(month({ 'journey-scheduler': scheduler }))).toBe(2 * 43_200 + 500);
  });

  it('bills a schedule without idle runs measured at its mean run × 43,200', () => {
    const scheduler = use({ scheduled: true, invocations: 2, writeUnits: 10 });
    expect(writeUnits(month({ 'journey-scheduler': scheduler }))).toBe(5 * 43_200);
  });
});
