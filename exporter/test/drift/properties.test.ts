import { describe, expect, it } from 'vitest';
import { chiSquareCounts } from '../../src/drift/chi-square.js';
import { KS_EXACT_MAX_N, ksTwoSample, type KsResult } from '../../src/drift/ks.js';
import { populationStabilityIndex } from '../../src/drift/psi.js';
import { expectClose, generatedSample, mulberry32, type GeneratorSpec } from './fixtures.js';

/**
 * Seeded randomized property tests: the same cases on every run (a failure names its case, which
 * can be rebuilt from the seed), no dependency beyond the fixtures' mulberry32.
 */
const rnd = mulberry32(20_261_201);
const between = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
/** Sizes spread evenly on a log scale, so tiny samples are as common as large ones. */
const logSize = (max: number): number => Math.max(1, Math.round(Math.exp(rnd() * Math.log(max))));
const KINDS: GeneratorSpec['kind'][] = ['irwin-hall', 'uniform', 'integer'];

interface Pair {
  name: string;
  x: Float64Array;
  y: Float64Array;
}

/** Two samples of one kind; `integer` ones (2..20 levels) are full of ties, within and across. */
function pair(n1: number, n2: number, label: string): Pair {
  const kind = KINDS[between(0, KINDS.length - 1)]!;
  const levels = between(2, 20);
  const scale = 0.5 + 2.5 * rnd();
  const shift = rnd() < 0.5 ? 0 : (rnd() - 0.5) * 0.6; // half the pairs from one distribution
  const spec = (seed: number, n: number, s: number): GeneratorSpec => ({
    seed,
    n,
    kind,
    scale,
    shift: s,
    levels,
  });
  const seed = between(1, 1_000_000);
  return {
    name: `${label}: ${kind}${kind === 'integer' ? ` (${levels} levels)` : ''}, ${n1} vs ${n2}, seed ${seed}, shift ${shift.toFixed(3)}`,
    x: generatedSample(spec(seed, n1, 0)),
    y: generatedSample(spec(seed + 1, n2, shift)),
  };
}

// 120 random size pairs up to 3000, and the sizes around the exact / asymptotic switch and above
// it (kept to similar distributions: the exact p of 10000 vs 9999 costs O(D n1 n2)).
const KS_PAIRS: Pair[] = [
  ...Array.from({ length: 120 }, (_, i) => pair(logSize(3000), logSize(3000), `random ${i}`)),
  ...[
    [1, 1],
    [1, 7],
    [2, 3],
    [KS_EXACT_MAX_N, KS_EXACT_MAX_N],
    [KS_EXACT_MAX_N, 9_999],
    [KS_EXACT_MAX_N, 137],
    [KS_EXACT_MAX_N + 1, KS_EXACT_MAX_N],
    [KS_EXACT_MAX_N + 1, 37],
    [12_000, 15_000],
    [20_000, 20_000],
  ].map(([n1, n2], i) => pair(n1!, n2!, `fixed ${i}`)),
];

const same = (a: KsResult, b: KsResult, what: string): void => {
  expect(b.statistic, `${what}: statistic`).toBe(a.statistic);
  expect(b.pValue, `${what}: p-value`).toBe(a.pValue);
  expect(b.method, `${what}: method`).toBe(a.method);
};

const INCREASING: [string, (v: number) => number][] = [
  ['exp', Math.exp],
  ['cube', (v) => v ** 3],
  ['4v + 7', (v) => 4 * v + 7],
];

describe('KS properties over seeded random samples', () => {
  const results = KS_PAIRS.map((p) => ({ ...p, r: ksTwoSample(p.x, p.y) }));

  it('covers both methods, ties, tiny and large samples, and p-values across [0, 1]', () => {
    const methods = new Set(results.map((c) => c.r.method));
    expect([...methods].sort()).toEqual(['asymp', 'exact']);
    expect(results.some((c) => c.name.includes('levels'))).toBe(true);
    expect(results.filter((c) => Math.min(c.r.n1, c.r.n2) <= 5).length).toBeGreaterThan(5);
    expect(results.filter((c) => c.r.pValue < 0.01).length).toBeGreaterThan(10);
    expect(results.filter((c) => c.r.pValue > 0.5).length).toBeGreaterThan(10);
  });

  it('gives D in [0, 1] and p in [0, 1], exact exactly when max(n1, n2) <= 10000', () => {
    for (const { name, r } of results) {
      expect(r.statistic >= 0 && r.statistic <= 1, `${name}: D = ${r.statistic}`).toBe(true);
      expect(r.pValue >= 0 && r.pValue <= 1, `${name}: p = ${r.pValue}`).toBe(true);
      // Below the switch scipy's fall-back may still answer 'asymp' (ks.test.ts), never above.
      if (Math.max(r.n1, r.n2) > KS_EXACT_MAX_N) expect(r.method, name).toBe('asymp');
    }
  });

  it('is symmetric: ks(a, b) = ks(b, a), bit for bit', () => {
    for (const { name, x, y, r } of results) same(r, ksTwoSample(y, x), name);
  });

  it('is invariant under strictly increasing transforms of both samples, bit for bit', () => {
    for (const { name, x, y, r } of results) {
      for (const [f, transform] of INCREASING) {
        same(r, ksTwoSample(x.map(transform), y.map(transform)), `${name}, ${f}`);
      }
    }
  });

  it('is invariant under a strictly decreasing transform (the CDFs step from the other side)', () => {
    // Mathematically the same D; the differences (n1 - i)/n1 - (n2 - j)/n2 may round an ulp
    // apart from j/n2 - i/n1, which the exact method's lattice rounding absorbs.
    for (const { name, x, y, r } of results) {
      const flipped = ksTwoSample(
        x.map((v) => -v),
        y.map((v) => -v),
      );
      if (r.method === 'exact') same(r, flipped, `${name}, negated`);
      else {
        expectClose(flipped.statistic, r.statistic, 1e-14, 0, `${name}, negated: D`);
        expectClose(flipped.pValue, r.pValue, 1e-9, 1e-300, `${name}, negated: p`);
      }
    }
  });

  it('gives D = 0 and p = 1 for a sample against itself', () => {
    for (const { name, x } of results) {
      expect(ksTwoSample(x, x), name).toMatchObject({ statistic: 0, pValue: 1 });
    }
  });
});

/** Random counts over 1..12 categories, some empty in one or both windows. */
function counts(k: number): number[] {
  const row = Array.from({ length: k }, () => (rnd() < 0.15 ? 0 : between(0, logSize(5000))));
  if (!row.some((c) => c > 0)) row[between(0, k - 1)] = between(1, 50);
  return row;
}
const TABLES = Array.from({ length: 200 }, (_, i) => {
  const k = between(1, 12);
  return { name: `table ${i} (${k} categories)`, reference: counts(k), current: counts(k) };
});

describe('chi-square properties over seeded random tables', () => {
  for (const correction of [true, false]) {
    it(`is symmetric in its windows, with p in [0, 1] (correction ${correction})`, () => {
      for (const { name, reference, current } of TABLES) {
        const a = chiSquareCounts(reference, current, { correction });
        const b = chiSquareCounts(current, reference, { correction });
        expect(b.dof, name).toBe(a.dof);
        // The same terms summed in another order: a few ulps.
        expectClose(b.statistic, a.statistic, 1e-12, 1e-12, `${name}: statistic`);
        expectClose(b.pValue, a.pValue, 1e-9, 1e-300, `${name}: p-value`);
        expect(a.statistic >= 0 && Number.isFinite(a.statistic), name).toBe(true);
        expect(a.pValue >= 0 && a.pValue <= 1, `${name}: p = ${a.pValue}`).toBe(true);
      }
    });
  }

  it('finds no difference between a window and a multiple of it', () => {
    for (const { name, reference } of TABLES) {
      const r = chiSquareCounts(
        reference,
        reference.map((c) => 3 * c),
      );
      expectClose(r.statistic, 0, 0, 1e-9, `${name}: statistic`);
      expectClose(r.pValue, 1, 1e-9, 0, `${name}: p-value`);
    }
  });
});

describe('PSI properties over seeded random samples', () => {
  const cases = Array.from({ length: 150 }, (_, i) => ({
    ...pair(logSize(5000), logSize(5000), `psi ${i}`),
    bins: between(2, 20),
  }));

  it('is finite and never negative', () => {
    for (const { name, x, y, bins } of cases) {
      const { psi } = populationStabilityIndex(x, y, { bins });
      expect(Number.isFinite(psi) && psi >= 0, `${name}, ${bins} bins: PSI = ${psi}`).toBe(true);
    }
  });

  it('is 0 for a sample against itself, in any order', () => {
    for (const { name, x, bins } of cases) {
      expect(populationStabilityIndex(x, x, { bins }).psi, name).toBe(0);
      expect(populationStabilityIndex(x, [...x].reverse(), { bins }).psi, name).toBe(0);
    }
  });
});
