import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Fixtures written by scripts/generate-drift-fixtures.py with scipy and numpy (see its header);
 * null in a fixture stands for NaN.
 */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export interface GeneratorSpec {
  seed: number;
  n: number;
  kind: 'irwin-hall' | 'uniform' | 'integer';
  scale: number;
  shift: number;
  levels?: number;
}

/** A sample: literal values, or a generated one too big to store. */
export type Sample = number[] | { generated: GeneratorSpec };

/** mulberry32 from the 32-bit state `state`: uniform doubles in [0, 1), multiples of 2^-32. */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = ((t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t) >>> 0;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The generator of scripts/generate-drift-fixtures.py `generated_sample`, bit for bit: mulberry32
 * started at seed * 2654435761 mod 2^32, u = output / 2^32, and transforms using only +, -, *,
 * / and floor.
 */
export function generatedSample(spec: GeneratorSpec): Float64Array {
  const u = mulberry32(Math.imul(spec.seed, 2654435761));
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    let v: number;
    if (spec.kind === 'irwin-hall') v = u() + u() + u() + u() - 2;
    else if (spec.kind === 'uniform') v = u();
    else v = Math.floor(u() * spec.levels!);
    out[i] = v * spec.scale + spec.shift;
  }
  return out;
}

export function sample(s: Sample): ArrayLike<number> {
  return Array.isArray(s) ? s : generatedSample(s.generated);
}

/** NaN for null. */
export const num = (v: number | null): number => (v === null ? NaN : v);

/**
 * got agrees with expected within a relative tolerance, or an absolute one (for values that
 * are differences near 0); NaN matches NaN.
 */
export function expectClose(
  got: number,
  expected: number | null,
  rel: number,
  abs = 0,
  what = '',
): void {
  const e = num(expected);
  if (Number.isNaN(e)) {
    expect(got, what).toBeNaN();
    return;
  }
  const err = Math.abs(got - e);
  const ok = got === e || err <= rel * Math.abs(e) || err <= abs;
  expect(ok, `${what}: got ${got}, expected ${e} (relative error ${err / Math.abs(e)})`).toBe(true);
}
