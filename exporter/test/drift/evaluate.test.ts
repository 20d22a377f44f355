import { describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/drift/evaluate.js';
import { ksTwoSample } from '../../src/drift/ks.js';
import type { ModelSchema, Observation } from '../../src/drift/observation.js';
import { populationStabilityIndex } from '../../src/drift/psi.js';
import { prepareReference } from '../../src/drift/reference.js';

const schema: ModelSchema = { task: 'regression', features: new Map([['x', 'numeric']]) };
const settings = { alpha: 0.05, bonferroni: false, psiBins: 10, minSamples: 10 };

/** Prediction i of feature value x; with `error`, its outcome is prediction + error(i). */
const obs = (i: number, x = i, error?: (i: number) => number): Observation => {
  const o: Observation = { id: `p${i}`, timeSeconds: i, values: [x], prediction: x };
  if (error) o.actual = x + error(i);
  return o;
};
const window = (n: number, shift = 0, error?: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => obs(i, i + shift, error));
const referenceOf = (observations: Observation[]) =>
  prepareReference(schema, { setAtSeconds: 0, source: { kind: 'data' }, observations });

// Errors alternating +1 / -3: MAE (1 + 3) / 2 = 2, RMSE sqrt((1 + 9) / 2) = sqrt(5).
const plusOneMinusThree = (i: number) => (i % 2 === 0 ? 1 : -3);
// Errors alternating +1 / -1: MAE 1, RMSE 1.
const plusMinusOne = (i: number) => (i % 2 === 0 ? 1 : -1);

describe('evaluateModel: feature tests', () => {
  it('tests nothing without a baseline or below min_samples: sizes only, no NaN', async () => {
    const none = await evaluateModel(schema, undefined, window(50), settings, 0);
    expect(none).toMatchObject({ enoughData: false, features: [], currentSize: 50 });
    const few = await evaluateModel(schema, referenceOf(window(50)), window(5), settings, 0);
    expect(few).toMatchObject({ enoughData: false, features: [], referenceSize: 50 });
    expect(few.performance).toBeUndefined(); // no outcomes at all
  });

  it('flags a shifted feature and not an identical one', async () => {
    const reference = referenceOf(window(50));
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

describe('evaluateModel: numeric features without sorting the current window', () => {
  it('reports the KS statistic, p-value and PSI of the sorted tests, ties included', async () => {
    // Integer values 0..6 against 0..4 (plus one 2.5): ties within and across the windows,
    // values on reference values, above the reference's maximum and between its values.
    const reference = Array.from({ length: 60 }, (_, i) => i % 5);
    const current = Array.from({ length: 45 }, (_, i) => (i % 9 === 4 ? 2.5 : i % 7));
    const r = await evaluateModel(
      schema,
      referenceOf(reference.map((x, i) => obs(i, x))),
      current.map((x, i) => obs(i, x)),
      settings,
      0,
    );
    const ks = ksTwoSample(reference, current);
    const psi = populationStabilityIndex(reference, current, { bins: settings.psiBins });
    expect(r.features[0]).toMatchObject({
      statistic: ks.statistic,
      pValue: ks.pValue,
      psi: psi.psi,
    });
  });

  it('refuses a non-finite current value', async () => {
    const current = window(20).map((o, i) => (i === 3 ? { ...o, values: [NaN] } : o));
    await expect(
      evaluateModel(schema, referenceOf(window(20)), current, settings, 0),
    ).rejects.toThrow(/index 3 is not a finite number/);
  });
});

describe('evaluateModel: current performance, with or without a baseline', () => {
  const scored = window(20, 0, plusOneMinusThree);

  it('measures the current window without any baseline, with no degradation', async () => {
    const r = await evaluateModel(schema, undefined, scored, settings, 0);
    expect(r.enoughData).toBe(false);
    expect(r.performance?.current.mae).toBe(2);
    expect(r.performance?.current.rmse).toBeCloseTo(Math.sqrt(5), 14);
    expect(r.performance?.degradation).toEqual({});
  });

  it('measures it against a baseline without outcomes, with no degradation', async () => {
    const r = await evaluateModel(schema, referenceOf(window(50)), scored, settings, 0);
    expect(r.enoughData).toBe(true);
    expect(r.performance?.current.mae).toBe(2);
    expect(r.performance?.degradation).toEqual({});
  });

  it('adds the relative drop when the baseline has a performance', async () => {
    const reference = referenceOf(window(50, 0, plusMinusOne));
    const r = await evaluateModel(schema, reference, scored, settings, 0);
    // (2 - 1) / 1 and (sqrt(5) - 1) / 1
    expect(r.performance?.degradation.mae).toBe(1);
    expect(r.performance?.degradation.rmse).toBeCloseTo(Math.sqrt(5) - 1, 14);
  });

  it('waits for min_samples outcomes, predictions without outcomes not counted', async () => {
    const some = [...window(9, 0, plusMinusOne), ...window(30, 100)];
    const r = await evaluateModel(schema, undefined, some, settings, 0);
    expect(r.currentOutcomes).toBe(9);
    expect(r.performance).toBeUndefined();
  });

  it('leaves out errors that overflow instead of failing the evaluation', async () => {
    const huge = window(10, 0, () => 0).map((o, i) => ({
      ...o,
      prediction: i === 0 ? -1e308 : 0,
      actual: i === 0 ? 1e308 : 0,
    }));
    const r = await evaluateModel(schema, undefined, huge, settings, 0);
    expect(r.performance).toEqual({ current: {}, degradation: {} });
  });
});
