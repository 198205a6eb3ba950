/** UTC days (`YYYY-MM-DD`) and months (`YYYY-MM`) as the KPI counter keys carry them. */

/** A reporting period: whole UTC days, both ends included. */
export interface Period {
  from: string;
  to: string;
}

/** The UTC day of an ISO timestamp. */
export const dayOf = (at: string): string => new Date(at).toISOString().slice(0, 10);
export const monthOfDay = (day: string): string => day.slice(0, 7);

/** String order; ISO days and months sort as time. */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

export function addMonths(month: string, n: number): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function monthsBetween(from: string, to: string): number {
  const [fy = 0, fm = 0] = from.split('-').map(Number);
  const [ty = 0, tm = 0] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
}
