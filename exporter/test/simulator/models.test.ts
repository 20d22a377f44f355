import { describe, expect, it } from 'vitest';
import { chiSquareCategorical, ksTwoSample } from '../../src/drift/index.js';
import { baselineValidator, predictionValidator } from '../../src/drift/schema.js';
import type { FaultName } from '../../src/simulator/faults.js';
import { baseline, MODELS, prediction, type ModelName } from '../../src/simulator/models.js';
import { Rng } from '../../src/simulator/random.js';

const NOW = new Date();
type Sent = { features: Record<string, number | string> };

function sample(model: ModelName, n: number, faults: FaultName[], seed: number): Sent[] {
  const rng = new Rng(seed);
  return Array.from(
    { length: n },
    () => prediction(rng, model, new Set(faults), NOW) as unknown as Sent,
  );
}
const numeric = (xs: Sent[], f: string) => xs.map((x) => x.features[f] as number);

describe('simulated model predictions', () => {
  it.each(MODELS)('%s sends predictions and a baseline the exporter accepts', (model) => {
    for (const p of sample(model, 50, ['drift'], 1)) expect(predictionValidator(p).ok).toBe(true);
    expect(baselineValidator(baseline(new Rng(2), model, 500, NOW)).ok).toBe(true);
  });

  it('shows no drift between two calm samples', () => {
    const a = sample('move_classifier', 500, [], 3);
    const b = sample('move_classifier', 500, [], 4);
    for (const f of ['momentum', 'volume_ratio', 'volatility']) {
      expect(ksTwoSample(numeric(a, f), numeric(b, f)).pValue).toBeGreaterThan(0.001);
    }
  });

  it('shifts every feature under the drift fault, so the tests flag them', () => {
    const calm = sample('return_regressor', 500, [], 5);
    const drifted = sample('return_regressor', 500, ['drift'], 6);
    for (const f of ['momentum', 'volume_ratio', 'volatility']) {
      expect(ksTwoSample(numeric(calm, f), numeric(drifted, f)).pValue).toBeLessThan(1e-6);
    }
    const regime = (xs: Sent[]) => xs.map((x) => x.features.regime as string);
    expect(chiSquareCategorical(regime(calm), regime(drifted)).pValue).toBeLessThan(1e-6);
  });
});
