/** How the pages write numbers, money, rates and times; a missing value is a dash. */

function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Sums of at least this many major units are shown whole: cents add nothing at that size. */
const WHOLE_FROM = 1000;

/**
 * Minor units in their currency: `4200`, `EUR` → €42.00, and whole units from a thousand up
 * (`2598900` → €25,989).
 */
export function money(minor: number | null | undefined, currency: string | null | undefined): string {
  if (minor === null || minor === undefined || !currency) return '—';
  const digits = fractionDigits(currency);
  const major = minor / 10 ** digits;
  const shown = Math.abs(major) >= WHOLE_FROM ? 0 : digits;
  try {
    return new Intl.NumberFormat('en', {
      style: 'currency',
      currency,
      minimumFractionDigits: shown,
      maximumFractionDigits: shown,
    }).format(major);
  } catch {
    return `${major.toFixed(shown)} ${currency}`;
  }
}

/** Major units, short, for a chart's axis (`1250000`, `EUR` → €12.5K). */
export function moneyShort(minor: number, currency: string | null): string {
  const digits = currency ? fractionDigits(currency) : 2;
  const major = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat('en', {
      ...(currency ? { style: 'currency', currency } : {}),
      notation: 'compact',
      maximumFractionDigits: 1,
    }).format(major);
  } catch {
    return `${major}`;
  }
}

const WHOLE = new Intl.NumberFormat('en');

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : WHOLE.format(n);
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
