import type { BaselineInput, PredictionInput, SendResult } from '../client/index.js';
import type { ActiveFaults } from './faults.js';
import type { Rng } from './random.js';

/**
 * The models the simulator monitors (documents 002 and 004): a classifier that calls the next
 * move of a candidate and a regressor of its 1-day return, each with numeric features and one
 * categorical feature. Under the `drift` fault the market the models see changes: momentum and
 * volume ratio shift up, volatility widens and the regime turns bearish, so the KS, PSI and
 * chi-square tests flag those features, and the classifier's accuracy drops.
 */

/** What the simulator needs to send predictions (TradewatchClient has it). */
export interface ModelSender {
  sendPredictions(predictions: PredictionInput[]): Promise<SendResult>;
  setBaseline(model: string, baseline: BaselineInput): Promise<SendResult>;
}

export const MODELS = ['move_classifier', 'return_regressor'] as const;
export type ModelName = (typeof MODELS)[number];

// A type, not an interface: it must fit the `features` record of a prediction.
type Market = {
  momentum: number;
  volume_ratio: number;
  volatility: number;
  regime: string;
};

function market(rng: Rng, drifted: boolean): Market {
  return {
    momentum: rng.normal(drifted ? 0.8 : 0, 1),
    volume_ratio: Math.exp(rng.normal(drifted ? 0.7 : 0, 0.5)),
    volatility: Math.abs(rng.normal(drifted ? 0.035 : 0.02, 0.01)),
    regime: rng.chance(drifted ? 0.8 : 0.3) ? 'bear' : 'bull',
  };
}

/**
 * One prediction of `model` with its outcome: the truth follows the features the same way in
 * both regimes, but the models learnt a rule that only holds before the shift.
 */
export function prediction(
  rng: Rng,
  model: ModelName,
  faults: ActiveFaults,
  time: Date,
): PredictionInput {
  const drifted = faults.has('drift');
  const m = market(rng, drifted);
  const truth = 0.01 * m.momentum - 0.5 * m.volatility + rng.normal(0, 0.01);
  const base = { model_name: model, model_version: 'v1.0', features: m, time: time.toISOString() };
  if (model === 'return_regressor') {
    // Fitted on the calm market: it underestimates how momentum carries in the new one.
    const predicted = 0.01 * Math.min(m.momentum, 1) - 0.5 * m.volatility;
    return { ...base, prediction: predicted, actual: truth, confidence: 0.7 };
  }
  const up = m.momentum + (m.regime === 'bull' ? 0.3 : -0.3) > 0;
  const right = rng.chance(drifted ? 0.6 : 0.85);
  return {
    ...base,
    prediction: up,
    actual: right ? truth > 0 || up : !up,
    confidence: Math.min(0.99, 0.5 + Math.abs(m.momentum) / 4),
  };
}

/** A baseline given as data: predictions of the calm market, before any fault. */
export function baseline(rng: Rng, model: ModelName, size: number, time: Date): BaselineInput {
  const calm: ActiveFaults = new Set();
  const predictions = Array.from({ length: size }, () => {
    // A baseline's predictions are the model's by the URL; they carry no model_name.
    const { model_name, ...item } = prediction(rng, model, calm, time);
    return item;
  });
  return { predictions };
}
