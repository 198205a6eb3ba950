import { describe, expect, it } from 'vitest';
import { toMinorUnits } from './canonical-event.ts';

describe('toMinorUnits', () => {
  it('converts a two-decimal currency without float error', () => {
    expect(toMinorUnits('19.99', 'usd')).toEqual({ amountMinor: 1999, currency: 'USD' });
    expect(toMinorUnits('0.29', 'EUR')).toEqual({ amountMinor: 29, currency: 'EUR' });
  });

  it('pads a single decimal digit ("19.9" is 1990 cents)', () => {
    expect(toMinorUnits('19.9', 'USD')).toEqual({ amountMinor: 1990, currency: 'USD' });
  });

  it('uses no minor unit for JPY', () => {
    expect(toMinorUnits('1500', 'JPY')).toEqual({ amountMinor: 1500, currency: 'JPY' });
    expect(toMinorUnits(1500, 'JPY')).toEqual({ amountMinor: 1500, currency: 'JPY' });
  });

  it('uses three decimals for KWD', () => {
    expect(toMinorUnits('1.234', 'KWD')).toEqual({ amountMinor: 1234, currency: 'KWD' });
    expect(toMinorUnits('5.5', 'KWD')).toEqual({ amountMinor: 5500, currency: 'KWD' });
  });

  it('keeps the sign of a negative amount', () => {
    expect(toMinorUnits('-12.00', 'EUR')).toEqual({ amountMinor: -1200, currency: 'EUR' });
    expect(toMinorUnits('-0.50', 'EUR')).toEqual({ amountMinor: -50, currency: 'EUR' });
  });

  it('accepts a JSON number such as a WooCommerce line item price', () => {
    expect(toMinorUnits(21.99, 'USD')).toEqual({ amountMinor: 2199, currency: 'USD' });
    expect(toMinorUnits(3, 'USD')).toEqual({ amountMinor: 300, currency: 'USD' });
  });

  it('refuses text that is not a decimal amount', () => {
    expect(() => toMinorUnits('12,50', 'EUR')).toThrow(/not a decimal amount/);
    expect(() => toMinorUnits('', 'EUR')).toThrow(/not a decimal amount/);
  });
});
