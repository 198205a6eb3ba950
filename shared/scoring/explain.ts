/** Wording shared by the score explanations: locale-independent numbers, money and day counts. */
import { toMinorUnits } from '#core/canonical-event.ts';

export function daysAgo(days: number): string {
  return days === 0 ? 'today' : `${plural(days, 'day')} ago`;
}

export function plural(n: number, word: string): string {
  return `${group(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function signed(n: number): string {
  return n < 0 ? `−${-n}` : `+${n}`;
}

/** 1234567.5 → "1,234,567.5"; locale-independent so explanations are stable. */
export function group(n: number): string {
  const [whole = '', fraction] = String(Math.abs(n)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '−' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

export function money(minor: number, currency: string): string {
  const unit = toMinorUnits(1, currency).amountMinor;
  const digits = String(unit).length - 1;
  const abs = Math.abs(minor);
  const fraction = digits ? `.${String(abs % unit).padStart(digits, '0')}` : '';
  return `${minor < 0 ? '−' : ''}${group(Math.floor(abs / unit))}${fraction} ${currency}`;
}
