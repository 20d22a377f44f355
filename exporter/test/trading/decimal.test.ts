import { describe, expect, it } from 'vitest';
import { roundTo15Digits } from '../../src/trading/decimal.js';

const byString = (x: number) => Number(x.toPrecision(15));

describe('roundTo15Digits', () => {
  it('drops the binary noise of a division by 100', () => {
    expect(5.2 / 100).not.toBe(0.052);
    expect(roundTo15Digits(5.2 / 100)).toBe(0.052);
    expect(roundTo15Digits(-5.2 / 100)).toBe(-0.052);
    expect(roundTo15Digits(0.25 / 100)).toBe(0.0025);
    expect(roundTo15Digits(0)).toBe(0);
    expect(roundTo15Digits(-0)).toBe(0);
  });

  it('gives what the string round trip gives, ties and extreme magnitudes included', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const values = [
      0.1, 1, 100, 1e14, 1e15, 99_999_999_999_999.95, 999_999_999_999_999.5, 5e-324,
      1.7976931348623157e308, 1e-9, 123_456_789_012_345.5,
    ];
    for (let i = 0; i < 20_000; i++) {
      values.push(Math.round((random() - 0.5) * 2e6) / 100 / 100); // percentages to a hundredth
      values.push((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20)); // any magnitude
      values.push((Math.round(random() * 1e15) + 0.5) / 10 ** Math.floor(random() * 20)); // ties
    }
    for (const x of values)
      expect(Object.is(roundTo15Digits(x), byString(x)), String(x)).toBe(true);
  });
});
