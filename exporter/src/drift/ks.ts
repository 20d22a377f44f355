/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, equal to
 * `scipy.stats.ks_2samp(reference, current, alternative='two-sided', method='auto')`.
 *
 * Definitions (as scipy 1.10 `scipy/stats/_stats_py.py` `ks_2samp`, read, not copied):
 * - F1, F2 are the right-continuous empirical CDFs (`searchsorted(..., side='right') / n`), so
 *   tied values, within or across the samples, are stepped over together.
 * - D = max over every observed value t of |F1(t) - F2(t)|, i.e. max(max(F1-F2), max(F2-F1)).
 * - method 'auto': exact when max(n1, n2) <= 10000, otherwise asymptotic.
 * - Exact (`_attempt_exact_2kssamp`): with g = gcd(n1, n2) and L = lcm(n1, n2) = (n1/g)*n2,
 *   h = round(D*L) and the reported statistic becomes h/L (so it is an exact lattice value).
 *   h = 0 gives p = 1. Otherwise p = Pr(D_{n1,n2} >= h/L) by counting lattice paths from (0,0)
 *   to (n1,n2) that leave the band |x/n1 - y/n2| < h/L (Hodges 1958, following
 *   Drion/Gnedenko/Korolyuk):
 *     n1 == n2: `_compute_prob_outside_square`, the alternating reflection sum
 *       2 * sum_k (-1)^(k-1) C(2n, n-kh)/C(2n, n), evaluated Horner-like on ratios;
 *     n1 != n2: `_compute_outer_prob_inside_method` (scipy/stats/_stats_pythran.py), the
 *       "inside" recursion rewritten by Viehmann (arXiv:2102.08037) to carry the proportion of
 *       paths that have already left the band, which never overflows.
 *   If that probability is not in [0, 1] (NaN, or rounding just above 1 for h = 1), scipy
 *   warns and falls back to the asymptotic method; so does this code (method 'asymp').
 * - Asymptotic: with m >= n the sizes, en = m*n/(m+n), p = kstwo.sf(D, round(en)) (numpy's
 *   round: halves to even), the finite-n Kolmogorov distribution (kolmogorov.ts), not the
 *   limiting kstwobign.
 * - p is clipped to [0, 1].
 *
 * Not part of scipy's contract, chosen here: both samples must be non-empty (scipy raises too)
 * and every value finite (scipy sorts NaN last and computes a meaningless D); otherwise
 * RangeError.
 */
import { kolmogorovSf } from './kolmogorov.js';

/** Largest max(n1, n2) for which method 'auto' computes the exact p-value (scipy MAX_AUTO_N). */
export const KS_EXACT_MAX_N = 10000;

export interface KsResult {
  /** D; in the exact method the lattice value h/lcm(n1, n2), as scipy reports it. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymp';
  n1: number;
  n2: number;
}

/** A sorted copy of a window; RangeError when it is empty or holds a non-finite value. */
export function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  return sortFinite(Float64Array.from(values), name);
}

/** Sorts `values` in place; RangeError when it is empty or holds a non-finite value. */
export function sortFinite(values: Float64Array, name: string): Float64Array {
  if (values.length === 0) throw new RangeError(`${name}: the sample is empty`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) throw notFinite(name, i);
  }
  return values.sort();
}

export function notFinite(name: string, index: number): RangeError {
  return new RangeError(`${name}: value at index ${index} is not a finite number`);
}

/**
 * The extremes of F1 - F2 = i/n1 - j/n2 over the points an ECDF walk offers, with the same
 * rounding as scipy's cdf1 - cdf2. Points are compared on their exact numerators i*n2 - j*n1
 * (integers, exact in a double below 2^53), dividing only where one reaches the running
 * extreme: distinct differences are at least 1/(n1*n2) apart, far more than a rounding error,
 * so the extremes are scipy's, and among equal numerators the float differences decide.
 */
class EcdfDifference {
  private maxNum = 0;
  private minNum = 0;
  private maxDiff = 0;
  private minDiff = 0;

  constructor(
    private readonly n1: number,
    private readonly n2: number,
  ) {}

  /** A point where F1 - F2 may be largest: i values of the first sample, j of the second. */
  high(i: number, j: number): void {
    const num = i * this.n2 - j * this.n1;
    if (num < this.maxNum) return;
    this.maxNum = num;
    const diff = i / this.n1 - j / this.n2;
    if (diff > this.maxDiff) this.maxDiff = diff;
  }

  /** A point where F1 - F2 may be smallest. */
  low(i: number, j: number): void {
    const num = i * this.n2 - j * this.n1;
    if (num > this.minNum) return;
    this.minNum = num;
    const diff = i / this.n1 - j / this.n2;
    if (diff < this.minDiff) this.minDiff = diff;
  }

  /** D = max(max(F1 - F2), max(F2 - F1)), as scipy takes it. */
  statistic(): number {
    const minS = Math.min(-this.minDiff, 1);
    return minS > this.maxDiff ? minS : this.maxDiff;
  }
}

/** D = sup |F1 - F2| of two ascending-sorted samples, walking both once. */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  const d = new EcdfDifference(n1, n2);
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    // The next distinct value t, then all observations <= t.
    const t =
      j >= n2 || (i < n1 && (a[i] as number) <= (b[j] as number))
        ? (a[i] as number)
        : (b[j] as number);
    while (i < n1 && (a[i] as number) <= t) i++;
    while (j < n2 && (b[j] as number) <= t) j++;
    d.high(i, j);
    d.low(i, j);
  }
  return d.statistic();
}

/**
 * The number of values of sorted[from..to) (ascending) that are <= v: numpy
 * `searchsorted(..., side='right')`. The window halves a length that does not depend on the
 * comparisons, so the only data-dependent step is a select.
 */
function countAtMostIn(sorted: Float64Array, v: number, from: number, to: number): number {
  if (to <= from) return 0;
  let base = from;
  let len = to - from;
  while (len > 1) {
    const half = len >>> 1;
    base = (sorted[base + half] as number) <= v ? base + half : base;
    len -= half;
  }
  return ((sorted[base] as number) <= v ? base + 1 : base) - from;
}

/** How many values of an ascending-sorted array are <= v (a binary search). */
export const countAtMostSorted = (sorted: Float64Array, v: number): number =>
  countAtMostIn(sorted, v, 0, sorted.length);

/**
 * A sorted sample and where each of its equal-width value slots starts, so that a search looks
 * at the few values of one slot (a plain binary search over 10,000 values cost more than sorting
 * the window it was meant to replace). The slot of a value is a monotone function of it, applied
 * alike to the sample and to the values looked up, so the table is exact whatever the rounding.
 */
export interface SortedIndex {
  sorted: Float64Array;
  /** slotStarts[s] = how many values lie in slots < s; slots + 2 entries. */
  slotStarts: Int32Array;
  slots: number;
  /** slot(v) = min(floor((v - sorted[0]) * scale), slots), for v >= sorted[0]. */
  scale: number;
}

export function indexSorted(sorted: Float64Array): SortedIndex {
  const n = sorted.length;
  const slots = n;
  const slotStarts = new Int32Array(slots + 2);
  if (n === 0) return { sorted, slotStarts, slots, scale: 0 };
  const first = sorted[0] as number;
  const scale = slots / ((sorted[n - 1] as number) - first);
  // A range that overflows or is too narrow to divide: every value in slot 0 (binary search).
  const index = { sorted, slotStarts, slots, scale: Number.isFinite(scale) ? scale : 0 };
  // The sample is sorted, so its slots ascend: each slot starts where the first value of a
  // higher slot is met.
  let slot = 0;
  for (let i = 0; i < n; i++) {
    const s = slotOf(index, sorted[i] as number);
    while (slot < s) slotStarts[++slot] = i;
  }
  while (slot <= slots) slotStarts[++slot] = n;
  return index;
}

function slotOf(index: SortedIndex, v: number): number {
  const x = (v - (index.sorted[0] as number)) * index.scale;
  // Written so that NaN (an overflowing v - first, times a scale of 0) lands in the last slot.
  return x < index.slots ? Math.floor(x) : index.slots;
}

/** How many values of the indexed sample are <= v (finite), as countAtMostIn. */
export function countAtMost(index: SortedIndex, v: number): number {
  const { sorted, slotStarts } = index;
  const n = sorted.length;
  if (n === 0 || v < (sorted[0] as number)) return 0;
  if (v >= (sorted[n - 1] as number)) return n;
  // Values in lower slots are < v, in higher ones > v: only v's own slot needs comparing.
  const s = slotOf(index, v);
  const from = slotStarts[s] as number;
  return from + countAtMostIn(sorted, v, from, slotStarts[s + 1] as number);
}

/**
 * A window laid against a sorted reference instead of being sorted: for k = 0..n1, how many of
 * its values have exactly k reference values <= them (`counts[k]`), and how many of those equal
 * reference[k-1] (`ties[k]`). Enough for D: see ksStatisticBuckets.
 */
export interface ReferenceBuckets {
  counts: Int32Array;
  ties: Int32Array;
  /** The window's size, the sum of `counts`. */
  size: number;
}

export function emptyBuckets(referenceSize: number): ReferenceBuckets {
  return {
    counts: new Int32Array(referenceSize + 1),
    ties: new Int32Array(referenceSize + 1),
    size: 0,
  };
}

/** Adds a finite value to its bucket; returns k, the number of reference values <= it. */
export function addToBuckets(index: SortedIndex, buckets: ReferenceBuckets, v: number): number {
  const { sorted } = index;
  const k = countAtMost(index, v);
  const { counts, ties } = buckets;
  counts[k] = (counts[k] as number) + 1;
  if (k > 0 && sorted[k - 1] === v) ties[k] = (ties[k] as number) + 1;
  buckets.size++;
  return k;
}

/**
 * The same D as ksStatisticSorted(a, sorted window), bit for bit, from the window's buckets.
 * Between two distinct reference values a[k-1] < a[k], F1 = k/n1 is constant, and the observed
 * values there are a[k-1] itself (F2 counts the window values below plus the ties) and the
 * window's values in bucket k. F2 only grows, so F1 - F2 is largest at a[k-1] and smallest at
 * the bucket's last value (F2 = all values up to bucket k). Every other observed value has a
 * strictly smaller (larger) numerator i*n2 - j*n1 than these, so it cannot be scipy's extreme;
 * among equal numerators the float differences are compared as ksStatisticSorted does.
 * Buckets inside a run of tied reference values (a[k-1] = a[k]) hold nothing and observe nothing.
 */
export function ksStatisticBuckets(a: Float64Array, buckets: ReferenceBuckets): number {
  const n1 = a.length;
  const { counts, ties, size } = buckets;
  const d = new EcdfDifference(n1, size);
  // Bucket 0, below the reference: F1 = 0, so only its last value can be an extreme.
  let below = counts[0] as number;
  d.low(0, below);
  for (let k = 1; k <= n1; k++) {
    if (k < n1 && (a[k - 1] as number) === (a[k] as number)) continue;
    d.high(k, below + (ties[k] as number));
    below += counts[k] as number;
    d.low(k, below);
  }
  return d.statistic();
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy's round: to nearest, halves to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Pr(D_{n,n} >= h/n), for 0 < h <= n (reflection principle, Horner form on ratios). */
function probOutsideSquare(n: number, h: number): number {
  // A_k = C(2n, n-(k+1)h) / C(2n, n-kh) = prod_{j<h} (n - kh - j) / (n + kh + j + 1)
  // P = 2 * A_0 * (1 - A_1 * (1 - A_2 * (1 - ...)))
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    P = ratio * (1 - P);
  }
  return 2 * P;
}

/**
 * Pr(D_{m,n} >= h/lcm) for m != n: the proportion of monotone lattice paths from (0,0) to
 * (m,n) that touch or leave the band |n*x - m*y| / g < h. A(x, y) is the proportion of paths
 * to (x, y) that have already left it: 1 outside the band, and inside
 * A(x, y) = (x A(x-1, y) + y A(x, y-1)) / (x + y), since x/(x+y) of the paths to (x, y) arrive
 * from (x-1, y). One column is kept and updated in place, over its window inside the band.
 */
function probOutsideBand(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  // Column x = 0: (0, y) is inside iff mg*y < h.
  const A = new Float64Array(n + 1).fill(1);
  const firstHi = Math.min(Math.ceil(h / mg), n + 1);
  for (let y = 0; y < firstHi; y++) A[y] = 0;
  for (let x = 1; x <= m; x++) {
    // Inside: (ng*x - h)/mg < y < (ng*x + h)/mg
    const lo = Math.min(Math.max(Math.floor((ng * x - h) / mg) + 1, 0), n);
    const hi = Math.min(Math.ceil((ng * x + h) / mg), n + 1);
    if (hi <= lo) return 1; // every path must leave the band
    // (x, lo-1) is below the band: all its paths have left. Entries at and above the previous
    // window's top are still 1 (never written), entries below lo are not read again.
    let val = lo === 0 ? 0 : 1;
    for (let y = lo; y < hi; y++) {
      val = ((A[y] as number) * x + val * y) / (x + y);
      A[y] = val;
    }
  }
  return A[n] as number;
}

/**
 * scipy `_attempt_exact_2kssamp` for the two-sided alternative: the lattice statistic h/L and
 * its exact p-value, or ok = false when the computed probability is not in [0, 1].
 */
export function ksExactTwoSided(
  n1: number,
  n2: number,
  d: number,
): { ok: boolean; statistic: number; pValue: number } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { ok: true, statistic, pValue: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  return { ok: p >= 0 && p <= 1, statistic, pValue: p };
}

/** scipy's asymptotic two-sided p-value: kstwo.sf(d, round(m*n/(m+n))), m >= n. */
export function ksAsymptoticTwoSided(n1: number, n2: number, d: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  return kolmogorovSf(d, roundHalfEven(en));
}

const clip01 = (p: number): number => (p < 0 ? 0 : p > 1 ? 1 : p);

/** The two-sided two-sample KS test, as `scipy.stats.ks_2samp(reference, current)`. */
export function ksTwoSample(reference: ArrayLike<number>, current: ArrayLike<number>): KsResult {
  return ksTwoSampleSorted(sortedCopy(reference, 'reference'), sortedCopy(current, 'current'));
}

/**
 * The same test on windows already sorted ascending, non-empty and finite (as `sortedWindow`
 * returns them): a monitored model's reference is sorted once, when its baseline is set.
 */
export function ksTwoSampleSorted(a: Float64Array, b: Float64Array): KsResult {
  return ksTestOfStatistic(a.length, b.length, ksStatisticSorted(a, b));
}

/** The same test of a sorted reference against a window laid in its buckets (unsorted). */
export function ksTwoSampleBuckets(a: Float64Array, buckets: ReferenceBuckets): KsResult {
  return ksTestOfStatistic(a.length, buckets.size, ksStatisticBuckets(a, buckets));
}

/** The p-value of D, and scipy's lattice statistic, for samples of n1 and n2 values. */
function ksTestOfStatistic(n1: number, n2: number, statistic: number): KsResult {
  let d = statistic;
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const exact = ksExactTwoSided(n1, n2, d);
    if (exact.ok) {
      return { statistic: exact.statistic, pValue: clip01(exact.pValue), method: 'exact', n1, n2 };
    }
    d = exact.statistic; // scipy keeps the lattice value when it falls back
  }
  return { statistic: d, pValue: clip01(ksAsymptoticTwoSided(n1, n2, d)), method: 'asymp', n1, n2 };
}
