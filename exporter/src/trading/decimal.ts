/** Exact powers of ten: every 10^k up to 10^22 is a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `Number(x.toPrecision(15))` without the string round trip (which costs as much as the rest
 * of reading a snapshot): x rounded to 15 significant digits, as the double nearest to them.
 * Falls back to the string form where the shortcut could round differently: near a tie, and
 * for magnitudes outside 1e-8..1e14.
 */
export function roundTo15Digits(x: number): number {
  if (x === 0) return 0;
  const magnitude = Math.abs(x);
  let k = 14 - Math.floor(Math.log10(magnitude)); // scales x to 15 digits before the point
  let scaled = magnitude * (POWERS_OF_TEN[k] ?? NaN);
  if (scaled >= 1e15)
    scaled = magnitude * (POWERS_OF_TEN[--k] ?? NaN); // log10 was a hair off
  else if (scaled < 1e14) scaled = magnitude * (POWERS_OF_TEN[++k] ?? NaN);
  // Below 2^53 the product is off by at most 1/16 from the exact one, so unless it lies that
  // close to a half, both round to the same integer; dividing two exact doubles then gives
  // the nearest double, as parsing the digits would.
  const fraction = scaled - Math.floor(scaled);
  if (!(Math.abs(fraction - 0.5) > 0.1)) return Number(x.toPrecision(15)); // also NaN: k out of range
  const digits = Math.round(scaled) / (POWERS_OF_TEN[k] as number);
  return x < 0 ? -digits : digits;
}
