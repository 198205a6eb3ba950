/** How the pages write numbers, money, rates and times; a missing value is a dash. */

function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units in their currency (`4200`, `EUR` → €42.00). */
export function money(minor: number | null | undefined, currency: string | null | undefined): string {
  if (minor === null || minor === undefined || !currency) return '—';
  const major = minor / 10 ** fractionDigits(currency);
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(major);
  } catch {
    return `${major.toFixed(2)} ${currency}`;
  }
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : new Intl.NumberFormat('en').format(n);
}

/** A rate as a percentage with one decimal. */
export function pct(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/** An ISO time to the minute, in UTC. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : '—';
}

/** Dollars, with four decimals below one (journey costs are often fractions of a cent). */
export function usd(n: number): string {
  return `$${n.toFixed(n < 1 ? 4 : 2)}`;
}
