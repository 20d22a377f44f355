import { describe, expect, it } from 'vitest';
import {
  countAtMost,
  indexSorted,
  ksStatisticBuckets,
  ksStatisticSorted,
  ksTwoSampleBuckets,
  sortedCopy,
} from '../../src/drift/ks.js';
import type { Observation } from '../../src/drift/observation.js';
import { psiBinning, psiOfCounts, psiSorted } from '../../src/drift/psi.js';
import { numericCounts } from '../../src/drift/reference.js';
import { loadFixture, mulberry32, sample, type Sample } from './fixtures.js';

/**
 * The unsorted path (a current window counted against the sorted reference, as evaluateModel
 * runs it) must give exactly what sorting the window gives: the same D, bit for bit, and the
 * same PSI counts.
 */
const observationsOf = (values: ArrayLike<number>): Observation[] =>
  Array.from(values, (v, i) => ({ id: `o${i}`, timeSeconds: i, values: [v], prediction: 0 }));

function unsortedPath(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10) {
  const sorted = sortedCopy(reference, 'reference');
  const binning = psiBinning(sorted, { bins });
  const counts = numericCounts(indexSorted(sorted), binning, 0, observationsOf(current));
  return { sorted, binning, counts };
}

function expectSameAsSorted(
  name: string,
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  bins = 10,
): void {
  const { sorted, binning, counts } = unsortedPath(reference, current, bins);
  const cur = sortedCopy(current, 'current');
  const d = ksStatisticBuckets(sorted, counts.buckets);
  const expected = ksStatisticSorted(sorted, cur);
  expect(Object.is(d, expected), `${name}: D ${d} vs ${expected}`).toBe(true);
  const psi = psiSorted(sorted, cur, { bins });
  expect(Array.from(counts.binCounts), `${name}: PSI counts`).toEqual(psi.currentCounts);
  expect(binning.cuts, `${name}: cuts`).toEqual(psi.cuts);
  expect(psiOfCounts(binning, counts.binCounts, cur.length), `${name}: PSI`).toBe(psi.psi);
}

const rnd = mulberry32(20_270_315);
const between = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const logSize = (max: number): number => Math.max(1, Math.round(Math.exp(rnd() * Math.log(max))));
const draw = (n: number, value: () => number): Float64Array =>
  Float64Array.from({ length: n }, value);

/** Seeded pairs of every shape where the buckets could go wrong. */
function randomPair(i: number): { name: string; x: Float64Array; y: Float64Array } {
  const n1 = logSize(2000);
  const n2 = logSize(2000);
  const levels = between(1, 12);
  const shift = between(-3, 3);
  const x = draw(n1, () => Math.floor(rnd() * levels));
  const shapes: [string, () => Float64Array][] = [
    ['continuous', () => draw(n2, () => rnd() * levels + shift / 2)],
    ['integer', () => draw(n2, () => Math.floor(rnd() * levels) + shift)],
    ['resampled reference', () => draw(n2, () => x[between(0, n1 - 1)]!)],
    [
      'half resampled',
      () => draw(n2, () => (rnd() < 0.5 ? x[between(0, n1 - 1)]! : rnd() * levels)),
    ],
    ['all equal', () => draw(n2, () => shift)],
    ['below', () => draw(n2, () => -1 - Math.floor(rnd() * 3))],
    ['above', () => draw(n2, () => levels + Math.floor(rnd() * 3))],
    ['at the extremes', () => draw(n2, () => [-1, 0, levels - 1, levels][between(0, 3)]!)],
  ];
  const [shape, make] = shapes[i % shapes.length]!;
  return { name: `pair ${i}: ${shape}, ${levels} levels, ${n1} vs ${n2}`, x, y: make() };
}

describe('the unsorted KS/PSI path against the sorted one', () => {
  it('gives the same D and PSI counts on 400 seeded pairs full of ties', () => {
    for (let i = 0; i < 400; i++) {
      const { name, x, y } = randomPair(i);
      expectSameAsSorted(name, x, y, [2, 5, 10, 20][i % 4]);
    }
  });

  it('gives the same on continuous samples, where ties are rare', () => {
    for (let i = 0; i < 50; i++) {
      const x = draw(logSize(3000), () => rnd() + rnd() + rnd());
      const y = draw(logSize(3000), () => rnd() + rnd() + rnd() + (i % 3) * 0.05);
      expectSameAsSorted(`continuous ${i}`, x, y);
    }
  });

  it('handles all-equal, disjoint, signed-zero, huge and tiny ranges', () => {
    expectSameAsSorted('all equal, same value', [4, 4, 4], [4, 4]);
    expectSameAsSorted('all equal, other value', [4, 4, 4], [5, 5]);
    expectSameAsSorted('entirely below', [1, 2, 3], [-5, -4]);
    expectSameAsSorted('entirely above', [1, 2, 3], [7, 8, 9, 10]);
    expectSameAsSorted('single values', [1], [1]);
    expectSameAsSorted('signed zeros', [-0, 0, 0, 1], [0, -0, -0, 1, -1]);
    expectSameAsSorted('overflowing range', [-1e308, 0, 1e308], [1e308, -1e308, 5, 1.7e308]);
    expectSameAsSorted('subnormal range', [0, 5e-324, 1e-323], [5e-324, 0, 2e-323, -5e-324]);
  });

  it('matches scipy on the KS fixtures (statistic and method as the sorted test)', () => {
    interface KsCase {
      name: string;
      x: Sample;
      y: Sample;
      statistic: number;
      method: string;
    }
    for (const c of loadFixture<{ cases: KsCase[] }>('ks.json').cases) {
      const { sorted, counts } = unsortedPath(sample(c.x), sample(c.y));
      const r = ksTwoSampleBuckets(sorted, counts.buckets);
      expect(r.statistic, c.name).toBe(c.statistic);
      expect(r.method, c.name).toBe(c.method);
    }
  });

  it('refuses a non-finite or empty current window as featureSample did', () => {
    expect(() => unsortedPath([1, 2], [1, Infinity])).toThrow(/index 1 is not a finite number/);
    expect(() => unsortedPath([1, 2], [NaN])).toThrow(/index 0 is not a finite number/);
    expect(() => unsortedPath([1, 2], [])).toThrow(/empty/);
  });
});

describe('countAtMost on an indexed sorted sample', () => {
  it('counts the values <= v, hand-checked', () => {
    const index = indexSorted(Float64Array.from([1, 2, 2, 2, 5, 9]));
    const probes = [0, 1, 1.5, 2, 3, 5, 8.99, 9, 100];
    expect(probes.map((v) => countAtMost(index, v))).toEqual([0, 1, 1, 4, 4, 5, 5, 6, 6]);
  });

  it('equals a linear count on skewed and tied samples', () => {
    const samples = [
      draw(500, () => Math.exp(10 * rnd())), // most values crowd the lowest slots
      draw(500, () => Math.floor(rnd() * 3)),
      draw(7, () => 1e300 * (rnd() - 0.5) * 4),
    ];
    for (const s of samples) {
      const sorted = s.sort();
      const index = indexSorted(sorted);
      const probes = [
        ...sorted,
        ...draw(200, () => sorted[0]! + rnd() * (sorted.at(-1)! - sorted[0]!)),
      ];
      for (const v of probes) {
        expect(countAtMost(index, v), `v = ${v}`).toBe(sorted.filter((x) => x <= v).length);
      }
    }
  });
});
