/**
 * Population Stability Index of a numeric feature, current window against reference window.
 *
 * Binning (fixed here so results are reproducible; the numpy formula in
 * scripts/generate-drift-fixtures.py is the same):
 * - B bins (default 10): the cut points are the reference's quantiles at q = i/B, i = 1..B-1,
 *   by numpy's default `np.quantile(reference, q)` ('linear', Hyndman & Fan type 7: position
 *   (n-1)q in the sorted sample, linear interpolation between its neighbours);
 * - duplicate cut points (ties in the reference) are merged, so there can be fewer than B bins;
 * - bins are right-closed: (-inf, c1], (c1, c2], ..., (c_last, +inf), so every value of either
 *   window falls in exactly one bin (a value v lands in the bin whose index is the number of cut
 *   points < v, numpy `searchsorted(cuts, v, side='left')`).
 *
 * Formula: with r_i and c_i the shares of the reference and current windows in bin i, each
 * floored at epsilon (default 1e-4) so that an empty bin gives a finite value (shares are not
 * renormalised after flooring),
 *
 *   PSI = sum_i (c_i - r_i) * ln(c_i / r_i).
 *
 * PSI >= 0, 0 for identical shares. Conventional reading: < 0.1 no significant shift,
 * 0.1–0.2 moderate, >= 0.2 significant (docs/drift.md).
 * Both windows must be non-empty and all values finite; otherwise RangeError.
 */
import { countAtMostSorted, sortedCopy } from './ks.js';

export interface PsiOptions {
  /** Number of quantile bins before merging duplicates (default 10, at least 2). */
  bins?: number;
  /** Floor for a bin share (default 1e-4, > 0). */
  epsilon?: number;
}

export interface PsiResult {
  psi: number;
  /** Cut points between bins (ascending, distinct). */
  cuts: number[];
  referenceCounts: number[];
  currentCounts: number[];
}

export const PSI_DEFAULT_BINS = 10;
export const PSI_DEFAULT_EPSILON = 1e-4;

/** numpy's default ('linear') quantile of an ascending-sorted sample. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * q;
  const prev = Math.floor(virtual);
  if (virtual >= n - 1) return sorted[n - 1] as number;
  const a = sorted[prev] as number;
  const b = sorted[prev + 1] as number;
  const gamma = virtual - prev;
  const diff = b - a;
  // numpy's _lerp: interpolate from the nearer end.
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Distinct cut points: the reference quantiles at i/bins, i = 1..bins-1. */
export function psiCuts(sortedReference: Float64Array, bins = PSI_DEFAULT_BINS): number[] {
  const quantiles: number[] = [];
  for (let i = 1; i < bins; i++) quantiles.push(quantileSorted(sortedReference, i / bins));
  // Sorted and de-duplicated, as np.unique (interpolation may in principle break monotonicity
  // by an ulp).
  quantiles.sort((a, b) => a - b);
  return quantiles.filter((c, i) => i === 0 || c !== quantiles[i - 1]);
}

/** Counts per bin of an ascending-sorted sample: bin i holds cuts[i-1] < v <= cuts[i]. */
function binCounts(sorted: Float64Array, cuts: readonly number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    while (bin < cuts.length && v > (cuts[bin] as number)) bin++;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts;
}

/** The binning of one reference window, to count current windows against. */
export interface PsiBinning {
  cuts: number[];
  /** Per cut, how many reference values are <= it (its rank). */
  cutRanks: Int32Array;
  /** isCutRank[k] = 1 when some cut has rank k (k = 0..reference size). */
  isCutRank: Uint8Array;
  referenceCounts: number[];
  referenceSize: number;
  epsilon: number;
}

/** The cuts of an ascending-sorted reference and its counts per bin (as binCounts gives them). */
export function psiBinning(sortedReference: Float64Array, options: PsiOptions = {}): PsiBinning {
  const bins = options.bins ?? PSI_DEFAULT_BINS;
  const epsilon = options.epsilon ?? PSI_DEFAULT_EPSILON;
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be an integer >= 2`);
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be > 0`);
  const cuts = psiCuts(sortedReference, bins);
  const n = sortedReference.length;
  const cutRanks = Int32Array.from(cuts, (cut) => countAtMostSorted(sortedReference, cut));
  const isCutRank = new Uint8Array(n + 1);
  for (const rank of cutRanks) isCutRank[rank] = 1;
  // Bins 0..i hold the reference values <= cuts[i].
  const referenceCounts: number[] = [];
  let counted = 0;
  for (const rank of [...cutRanks, n]) {
    referenceCounts.push(rank - counted);
    counted = rank;
  }
  return { cuts, cutRanks, isCutRank, referenceCounts, referenceSize: n, epsilon };
}

/** The bin of a value: the number of cuts < v, the bin binCounts puts it in. */
export function binOf(cuts: readonly number[], v: number): number {
  let bin = 0;
  while (bin < cuts.length && v > (cuts[bin] as number)) bin++;
  return bin;
}

/**
 * Counts per bin of a window laid in the reference's buckets (ks.ts ReferenceBuckets), given
 * the counts per bin (`direct`, by binOf) of its values whose bucket k is a cut's rank. A value
 * with k reference values <= it is above every cut of rank < k and not above any cut of rank
 * > k (a reference value lies between them), so only against a cut of rank k must it be
 * compared; the other buckets are binned whole.
 */
export function binCountsOfBuckets(
  binning: PsiBinning,
  bucketCounts: Int32Array,
  direct: Int32Array,
): Int32Array {
  const { cutRanks, isCutRank } = binning;
  const counts = Int32Array.from(direct);
  let bin = 0; // the number of cuts of rank < k
  for (let k = 0; k < bucketCounts.length; k++) {
    while (bin < cutRanks.length && (cutRanks[bin] as number) < k) bin++;
    if (isCutRank[k] === 0) counts[bin] = (counts[bin] as number) + (bucketCounts[k] as number);
  }
  return counts;
}

/** PSI of a window of `currentSize` values with `currentCounts` per bin of `binning`. */
export function psiOfCounts(
  binning: PsiBinning,
  currentCounts: ArrayLike<number>,
  currentSize: number,
): number {
  const { referenceCounts, referenceSize, epsilon } = binning;
  let psi = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const r = Math.max((referenceCounts[i] as number) / referenceSize, epsilon);
    const c = Math.max((currentCounts[i] as number) / currentSize, epsilon);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** PSI of `current` against `reference` with the binning above. */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: PsiOptions = {},
): PsiResult {
  return psiSorted(sortedCopy(reference, 'reference'), sortedCopy(current, 'current'), options);
}

/** The same on windows already sorted ascending, non-empty and finite (see ksTwoSampleSorted). */
export function psiSorted(
  ref: Float64Array,
  cur: Float64Array,
  options: PsiOptions = {},
): PsiResult {
  const binning = psiBinning(ref, options);
  const currentCounts = binCounts(cur, binning.cuts);
  return {
    psi: psiOfCounts(binning, currentCounts, cur.length),
    cuts: binning.cuts,
    referenceCounts: binning.referenceCounts,
    currentCounts,
  };
}
