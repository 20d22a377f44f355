/** Text for numbers, fixed to one locale so dashboards and tests read the same everywhere. */
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** Shown where a number is undefined (no input, NaN): a dash, not a misleading 0. */
export const MISSING = '–';

export function formatCount(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? MISSING : COUNT.format(n);
}

/**
 * A ratio as a percentage. Under 1 % two decimals are kept: a funnel's last stages are often
 * a fraction of a percent of the first (8 of 2,847 is 0.28 %), and "0.3%" would hide that.
 */
export function formatPercent(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return MISSING;
  const pct = r * 100;
  if (pct === 0) return '0%';
  const decimals = Math.abs(pct) < 1 ? 2 : 1;
  return `${pct.toFixed(decimals)}%`;
}
