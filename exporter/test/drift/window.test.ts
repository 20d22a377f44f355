import { describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/drift/evaluate.js';
import type { ModelSchema, Observation } from '../../src/drift/observation.js';
import { prepareReference } from '../../src/drift/reference.js';
import { CurrentWindow } from '../../src/drift/window.js';

const obs = (i: number, x = i): Observation => ({
  id: `p${i}`,
  timeSeconds: i,
  values: [x],
  prediction: x,
});

describe('the current window', () => {
  it('holds at most its size whatever the traffic, dropping the oldest', () => {
    const w = new CurrentWindow(100, 0);
    for (let i = 0; i < 100_000; i++) w.push(obs(i));
    expect(w.size).toBe(100);
    expect(w.snapshot().map((o) => o.id)).toEqual(
      Array.from({ length: 100 }, (_, i) => `p${99_900 + i}`),
    );
    expect(w.has('p99899')).toBe(false);
    expect(w.get('p99999')?.timeSeconds).toBe(99_999);
  });

  it('drops predictions older than its time limit', () => {
    const w = new CurrentWindow(1000, 60);
    for (let i = 0; i < 200; i++) w.push(obs(i));
    w.expire(199);
    expect(w.snapshot()[0]?.timeSeconds).toBe(139);
    expect(w.size).toBe(61);
  });
});

describe('evaluateModel', () => {
  const schema: ModelSchema = { task: 'regression', features: new Map([['x', 'numeric']]) };
  const settings = { alpha: 0.05, bonferroni: false, psiBins: 10, minSamples: 10 };
  const window = (n: number, shift = 0) => Array.from({ length: n }, (_, i) => obs(i, i + shift));

  it('tests nothing without a baseline or below min_samples: sizes only, no NaN', async () => {
    const none = await evaluateModel(schema, undefined, window(50), settings, 0);
    expect(none).toMatchObject({ enoughData: false, features: [], currentSize: 50 });
    const reference = prepareReference(schema, {
      setAtSeconds: 0,
      source: { kind: 'data' },
      observations: window(50),
    });
    const few = await evaluateModel(schema, reference, window(5), settings, 0);
    expect(few).toMatchObject({ enoughData: false, features: [], referenceSize: 50 });
    expect(few.performance).toBeUndefined(); // no outcomes at all
  });

  it('flags a shifted feature and not an identical one', async () => {
    const reference = prepareReference(schema, {
      setAtSeconds: 0,
      source: { kind: 'data' },
      observations: window(50),
    });
    const same = await evaluateModel(schema, reference, window(50), settings, 0);
    expect(same.features[0]).toMatchObject({
      test: 'ks',
      statistic: 0,
      pValue: 1,
      psi: 0,
      drifted: false,
    });
    const shifted = await evaluateModel(schema, reference, window(50, 100), settings, 0);
    expect(shifted.features[0]).toMatchObject({ statistic: 1, drifted: true });
  });
});
