import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriftDomain, type DriftHandle } from '../../exporter/src/drift/domain.js';
import type { Database } from '../../exporter/src/storage/database.js';
import { BACKENDS, type FreshDatabase } from '../../exporter/test/storage/backends.js';
import { startExporter, type TestExporter } from '../helpers/exporter.js';
import { onlyFamilies, sampleValue } from '../helpers/exposition.js';
import { postJson, postRaw, scrape, type Reply } from '../helpers/http.js';
import { checkMetrics } from '../helpers/promtool.js';

const PREDICTIONS = '/v1/predictions';
const OUTCOMES = '/v1/outcomes';
const baselineOf = (model: string) => `/v1/models/${model}/baseline`;
const importanceOf = (model: string) => `/v1/models/${model}/importance`;
const ENV = {
  TRADEWATCH_DRIFT__MIN_SAMPLES: '50',
  TRADEWATCH_DRIFT__EVALUATION_INTERVAL_SECONDS: '3600',
  TRADEWATCH_DRIFT__CURRENT_WINDOW_SIZE: '200',
};

interface ErrorReply {
  error: string;
  message: string;
  fields?: { field: string; message: string }[];
}
const fieldsOf = (reply: Reply): string[] =>
  ((reply.json as ErrorReply).fields ?? []).map((f) => f.field);

/** A deterministic stream in [0, 1) (mulberry32), so the expected drift does not flake. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

interface Monitored {
  tw: TestExporter;
  handle: DriftHandle;
}

/** An exporter with the drift domain and `env` (its own in-memory PGlite unless `db` is given). */
async function startMonitored(env: Record<string, string>, db?: Database): Promise<Monitored> {
  const started: { handle?: DriftHandle } = {};
  const tw = await startExporter(env, {
    domains: [createDriftDomain({ onStart: (h) => (started.handle = h) })],
    ...(db ? { storage: { db } } : {}),
  });
  if (!started.handle) throw new Error('the drift domain did not start');
  return { tw, handle: started.handle };
}

const modelMetricsOf = async (tw: TestExporter): Promise<string> =>
  onlyFamilies((await scrape(tw.url)).text, ['tradewatch_model_']);
const countRowsOf = async (tw: TestExporter, table: string): Promise<number> =>
  (await tw.exporter.storage.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!
    .n;

/**
 * `n` predictions of the classifier `clf` (document 002's fields): `momentum` uniform on
 * [shift, 1 + shift), `volume` uniform on [0, 1), `regime` alternating between two categories; the
 * prediction is `momentum > 0.5`, right 90 % of the time in the baseline.
 */
function predictions(prefix: string, n: number, startSeconds: number, shift = 0, seed = 1) {
  const rnd = uniform(seed);
  return Array.from({ length: n }, (_, i) => {
    const momentum = rnd() + shift;
    return {
      model_name: 'clf',
      model_version: 'v1.0',
      prediction_id: `${prefix}-${i}`,
      time: iso(startSeconds + i),
      features: { momentum, volume: rnd(), regime: i % 2 === 0 ? 'bull' : 'bear' },
      prediction: momentum > 0.5,
      confidence: 0.5 + rnd() / 2,
    };
  });
}

describe.each(BACKENDS)('model monitoring over HTTP on $name', (backend) => {
  let fresh: FreshDatabase;
  let tw: TestExporter;
  let handle: DriftHandle;
  const now = Math.floor(Date.now() / 1000);
  const baselineStart = now - 3 * 3600;
  const currentStart = now - 3600;

  const start = async (db = fresh.db): Promise<void> => {
    ({ tw, handle } = await startMonitored(ENV, db));
  };
  const modelMetrics = () => modelMetricsOf(tw);
  const countRows = (table: string) => countRowsOf(tw, table);

  beforeAll(async () => {
    fresh = await backend.fresh();
    await start();
  });
  afterAll(async () => {
    await tw?.close();
    await fresh?.cleanup();
  });

  it('accepts a batch of predictions in document 002 fields', async () => {
    const reply = await postJson(tw.url, PREDICTIONS, predictions('base', 300, baselineStart));
    expect(reply.json).toEqual({ accepted: 300, duplicates: 0 });
    // A retry of a prediction id is a duplicate, not a second prediction.
    const last = predictions('base', 300, baselineStart).slice(-1);
    const again = await postJson(tw.url, PREDICTIONS, last);
    expect(again.json).toEqual({ accepted: 0, duplicates: 1 });
  });

  it('has no statistic before a baseline: the "not enough data" state, no NaN', async () => {
    await handle.evaluate();
    const text = await modelMetrics();
    expect(sampleValue(text, 'tradewatch_model_drift_enough_data', { model: 'clf' })).toBe(0);
    expect(text).not.toMatch(/tradewatch_model_feature_ks_statistic\{/);
    expect(text).not.toMatch(/NaN/i);
  });

  describe('bad input: a clear 4xx naming the field, nothing changed', () => {
    const one = () => predictions('bad', 1, currentStart)[0]!;
    const body = (value: unknown) => JSON.stringify(value);
    const cases: [name: string, path: string, status: number, field: string, text: string][] = [
      [
        'a missing feature',
        PREDICTIONS,
        400,
        'features.volume',
        body({ ...one(), features: { momentum: 0.1, regime: 'bull' } }),
      ],
      [
        'a string in a numeric feature',
        PREDICTIONS,
        400,
        'features.momentum',
        body({ ...one(), features: { ...one().features, momentum: 'high' } }),
      ],
      [
        'the string "NaN" in a numeric feature',
        PREDICTIONS,
        400,
        'features.momentum',
        body({ ...one(), features: { ...one().features, momentum: 'NaN' } }),
      ],
      [
        'a bare NaN (not JSON)',
        PREDICTIONS,
        400,
        '(body)',
        body(one()).replace(/"momentum":[^,]+/, '"momentum":NaN'),
      ],
      [
        '1e400 (Infinity once parsed)',
        PREDICTIONS,
        400,
        'features.momentum',
        body(one()).replace(/"momentum":[^,]+/, '"momentum":1e400'),
      ],
      [
        'a number in a categorical feature',
        PREDICTIONS,
        400,
        'features.regime',
        body({ ...one(), features: { ...one().features, regime: 3 } }),
      ],
      [
        'a feature the model does not have',
        PREDICTIONS,
        400,
        'features.spread',
        body({ ...one(), features: { ...one().features, spread: 1 } }),
      ],
      ['no model_name', PREDICTIONS, 400, 'model_name', body({ ...one(), model_name: undefined })],
      ['a confidence above 1', PREDICTIONS, 400, 'confidence', body({ ...one(), confidence: 1.5 })],
      [
        'one bad prediction in a batch',
        PREDICTIONS,
        400,
        '[1].features.volume',
        body([one(), { ...one(), prediction_id: 'x', features: { momentum: 1, regime: 'bull' } }]),
      ],
      ['an empty batch', PREDICTIONS, 400, '(body)', '[]'],
      [
        'an outcome of an unknown model',
        OUTCOMES,
        400,
        'model_name',
        body({ model_name: 'nobody', prediction_id: 'base-1', actual: true }),
      ],
      [
        'a baseline range of an unknown model',
        baselineOf('nobody'),
        404,
        'model',
        body({ from: iso(baselineStart), to: iso(currentStart) }),
      ],
      [
        'a baseline range with no stored prediction (an empty window)',
        baselineOf('clf'),
        400,
        'from',
        body({ from: iso(now - 20 * 3600), to: iso(now - 10 * 3600) }),
      ],
      ['an empty baseline', baselineOf('clf'), 400, 'predictions', body({ predictions: [] })],
      ['a baseline with neither', baselineOf('clf'), 400, 'predictions', body({})],
      [
        'a baseline range backwards',
        baselineOf('clf'),
        400,
        'to',
        body({ from: iso(currentStart), to: iso(baselineStart) }),
      ],
      [
        'importances of an unknown model',
        importanceOf('nobody'),
        404,
        'model',
        body({ importances: { momentum: 1 } }),
      ],
      [
        'an importance of a feature the model lacks',
        importanceOf('clf'),
        400,
        'importances.spread',
        body({ importances: { momentum: 1, spread: 2 } }),
      ],
      [
        'a negative importance',
        importanceOf('clf'),
        400,
        'importances.momentum',
        body({ importances: { momentum: -1 } }),
      ],
    ];

    let before: string;
    let rows: number;
    beforeAll(async () => {
      expect(await tw.exporter.storage.buffer.flush()).toBe(true);
      await handle.evaluate();
      before = await modelMetrics();
      rows = await countRows('model_predictions');
    });

    it.each(cases)('%s: %s answers %i naming %s', async (_name, path, status, field, text) => {
      const reply = await postRaw(tw.url, path, text);
      expect(reply.status).toBe(status);
      expect(reply.headers.get('content-type')).toMatch(/application\/json/);
      expect(fieldsOf(reply)).toContain(field);
    });

    it('stored nothing and changed no model metric', async () => {
      expect(await tw.exporter.storage.buffer.flush()).toBe(true);
      await handle.evaluate();
      expect(await countRows('model_predictions')).toBe(rows);
      expect(await countRows('model_outcomes')).toBe(0);
      expect(await countRows('model_baselines')).toBe(0);
      expect(await countRows('model_importances')).toBe(0);
      const strip = (t: string) =>
        t.replace(/^tradewatch_model_drift_evaluation_timestamp.*$/gm, '');
      expect(strip(await modelMetrics())).toBe(strip(before));
    });
  });

  describe('drift detected after a baseline from stored predictions', () => {
    let text: string;
    let current: ReturnType<typeof predictions>;
    let actuals: boolean[];
    beforeAll(async () => {
      const baseline = await postJson(tw.url, baselineOf('clf'), {
        from: iso(baselineStart),
        to: iso(currentStart),
        importances: { momentum: 0.5, volume: 0.3, regime: 0.2 },
      });
      expect(baseline.status).toBe(200);
      expect(baseline.json).toMatchObject({ model: 'clf', predictions: 300, outcomes: 0 });
      // The current window: momentum shifted by 0.3, the rest as before.
      current = predictions('cur', 200, currentStart, 0.3, 2);
      expect((await postJson(tw.url, PREDICTIONS, current)).status).toBe(200);
      actuals = current.map((p, i) => (i % 4 === 0 ? !p.prediction : p.prediction));
      const outcomes = current.map((p, i) => ({
        model_name: 'clf',
        prediction_id: p.prediction_id,
        actual: actuals[i],
      }));
      expect((await postJson(tw.url, OUTCOMES, outcomes)).json).toEqual({
        accepted: 200,
        duplicates: 0,
      });
      expect((await postJson(tw.url, OUTCOMES, outcomes[0])).json).toEqual({
        accepted: 0,
        duplicates: 1,
      });
      const importance = await postJson(tw.url, importanceOf('clf'), {
        importances: { momentum: 0.2, volume: 0.3, regime: 0.5 },
        members: [
          { name: 'lstm', weight: 0.6, metrics: { accuracy: 0.7 } },
          { name: 'xgb', weight: 0.4 },
        ],
      });
      expect(importance.json).toEqual({ model: 'clf', features: 3, members: 2 });
      await handle.evaluate();
      text = (await scrape(tw.url)).text;
    });

    const clf = { model: 'clf' };
    it('flags the shifted numeric feature and not the others', () => {
      const momentum = { model: 'clf', feature: 'momentum' };
      const volume = { model: 'clf', feature: 'volume' };
      expect(sampleValue(text, 'tradewatch_model_drift_enough_data', clf)).toBe(1);
      expect(sampleValue(text, 'tradewatch_model_feature_drifted', momentum)).toBe(1);
      expect(sampleValue(text, 'tradewatch_model_feature_drifted', volume)).toBe(0);
      expect(
        sampleValue(text, 'tradewatch_model_feature_drift_p_value', { ...momentum, test: 'ks' }),
      ).toBeLessThan(1e-6);
      expect(sampleValue(text, 'tradewatch_model_feature_ks_statistic', momentum)).toBeGreaterThan(
        0.2,
      );
      expect(sampleValue(text, 'tradewatch_model_feature_psi', momentum)).toBeGreaterThan(0.2);
      expect(
        sampleValue(text, 'tradewatch_model_feature_drift_p_value', {
          model: 'clf',
          feature: 'regime',
          test: 'chi_square',
        }),
      ).toBeGreaterThan(0.01);
      expect(sampleValue(text, 'tradewatch_model_drifted_features_ratio', clf)).toBeCloseTo(1 / 3);
      expect(sampleValue(text, 'tradewatch_model_drift_significance_level', clf)).toBe(0.05);
    });

    it('exports window sizes, counts, the confidence histogram and the thresholds', () => {
      const w = (window: string) => ({ model: 'clf', window });
      expect(sampleValue(text, 'tradewatch_model_drift_window_predictions', w('reference'))).toBe(
        300,
      );
      expect(sampleValue(text, 'tradewatch_model_drift_window_predictions', w('current'))).toBe(
        200,
      );
      expect(sampleValue(text, 'tradewatch_model_drift_window_outcomes', w('current'))).toBe(200);
      expect(sampleValue(text, 'tradewatch_model_predictions_received_total', clf)).toBe(500);
      expect(sampleValue(text, 'tradewatch_model_outcomes_received_total', clf)).toBe(200);
      expect(sampleValue(text, 'tradewatch_model_prediction_confidence_ratio_count', clf)).toBe(
        500,
      );
      expect(sampleValue(text, 'tradewatch_model_drift_psi_threshold', { level: 'moderate' })).toBe(
        0.1,
      );
    });

    it('exports current performance; no baseline performance without baseline outcomes', () => {
      const at = (metric: string, window: string) =>
        sampleValue(text, 'tradewatch_model_classification_performance_ratio', {
          model: 'clf',
          metric,
          window,
        });
      // Counted from the payloads: every fourth outcome contradicts its prediction.
      const count = (predicted: boolean, actual: boolean) =>
        current.filter((p, i) => p.prediction === predicted && actuals[i] === actual).length;
      const [tp, fp, fn] = [count(true, true), count(true, false), count(false, true)];
      expect(at('accuracy', 'current')).toBe(0.75);
      expect(at('precision', 'current')).toBeCloseTo(tp / (tp + fp), 12);
      expect(at('recall', 'current')).toBeCloseTo(tp / (tp + fn), 12);
      expect(at('f1', 'current')).toBeCloseTo((2 * tp) / (2 * tp + fp + fn), 12);
      // The baseline range had no outcomes: no baseline performance, so no drop either.
      expect(at('accuracy', 'baseline')).toBeUndefined();
      expect(text).not.toMatch(/^tradewatch_model_performance_degradation_ratio\{/m);
    });

    it('exports importances, their rank correlation and the ensemble members', () => {
      expect(
        sampleValue(text, 'tradewatch_model_feature_importance', {
          model: 'clf',
          feature: 'regime',
        }),
      ).toBe(0.5);
      expect(sampleValue(text, 'tradewatch_model_importance_rank_correlation', clf)).toBeCloseTo(
        -1,
      );
      expect(
        sampleValue(text, 'tradewatch_model_ensemble_member_weight', {
          model: 'clf',
          member: 'lstm',
        }),
      ).toBe(0.6);
      expect(
        sampleValue(text, 'tradewatch_model_ensemble_member_performance', {
          model: 'clf',
          member: 'lstm',
          metric: 'accuracy',
        }),
      ).toBe(0.7);
    });

    it('never exposes NaN and passes promtool check metrics', async () => {
      // tradewatch's own families; prom-client's event-loop statistics read NaN when two
      // scrapes come within its 10 ms sampling interval, which is prom-client's behaviour.
      expect(text).not.toMatch(/^tradewatch_.* NaN$/m);
      const run = await checkMetrics(text);
      expect(run.stdout + run.stderr).toBe('');
    });

    it('measures performance drift against a baseline given as data', async () => {
      const data = predictions('given', 100, baselineStart, 0, 3).map((p) => ({
        ...p,
        model_name: undefined,
        actual: p.prediction, // the baseline was always right
      }));
      const reply = await postJson(tw.url, baselineOf('clf'), { predictions: data });
      expect(reply.json).toMatchObject({
        predictions: 100,
        outcomes: 100,
        source: { kind: 'data' },
      });
      await handle.evaluate();
      const after = (await scrape(tw.url)).text;
      const acc = (window: string) => ({ model: 'clf', metric: 'accuracy', window });
      const metric = 'tradewatch_model_classification_performance_ratio';
      expect(sampleValue(after, metric, acc('baseline'))).toBe(1);
      expect(sampleValue(after, metric, acc('current'))).toBe(0.75);
      expect(
        sampleValue(after, 'tradewatch_model_performance_degradation_ratio', {
          model: 'clf',
          metric: 'accuracy',
        }),
      ).toBeCloseTo(0.25);
    });
  });

  it('reads models, baselines, windows and importances back after a restart', async () => {
    const before = (await scrape(tw.url)).text;
    await tw.close();
    await start(backend.name === 'postgres' ? fresh.openAnother() : fresh.db);
    await handle.evaluate();
    const after = (await scrape(tw.url)).text;
    const gauges = (t: string) =>
      onlyFamilies(t, [
        'tradewatch_model_feature_',
        'tradewatch_model_drift_window',
        'tradewatch_model_classification',
        'tradewatch_model_importance',
        'tradewatch_model_ensemble',
      ]);
    expect(gauges(after).split('\n')).toEqual(gauges(before).split('\n'));
    expect(after).toMatch(/tradewatch_model_feature_drifted\{model="clf",feature="momentum"\} 1/);
  });
});

/** Names of the models any `tradewatch_model_*` series is about. */
const modelsIn = (text: string): string[] =>
  [...new Set([...text.matchAll(/[{,]model="([^"]+)"/g)].map((m) => m[1] as string))].sort();

describe('drift.max_models and drift.max_features', () => {
  let m: Monitored;
  const limits = { TRADEWATCH_DRIFT__MAX_MODELS: '2', TRADEWATCH_DRIFT__MAX_FEATURES: '3' };
  const prediction = (model: string, features: Record<string, number>) => ({
    model_name: model,
    prediction_id: `${model}-1`,
    features,
    prediction: 1,
  });
  const three = { a: 1, b: 2, c: 3 };
  const four = { ...three, d: 4 };
  const refused = (reply: Reply, field: string, limit: RegExp) => {
    expect(reply.status).toBe(400);
    const fields = (reply.json as ErrorReply).fields ?? [];
    expect(fields.map((f) => f.field)).toEqual([field]);
    expect(fields[0]!.message).toMatch(limit);
  };

  beforeAll(async () => {
    m = await startMonitored({ ...ENV, ...limits });
  });
  afterAll(async () => {
    await m?.tw.close();
  });

  it('refuses a model with more features than drift.max_features, by prediction or baseline', async () => {
    const limit = /4 features, at most drift\.max_features \(3\)/;
    refused(await postJson(m.tw.url, PREDICTIONS, prediction('wide', four)), 'features', limit);
    const batch = [prediction('ok', three), prediction('wide', four)];
    refused(await postJson(m.tw.url, PREDICTIONS, batch), '[1].features', limit);
    const baseline = { predictions: [{ features: four, prediction: 1 }] };
    refused(
      await postJson(m.tw.url, baselineOf('wide'), baseline),
      'predictions[0].features',
      limit,
    );
  });

  it('takes drift.max_models models, then refuses a new one, by prediction or baseline', async () => {
    const two = [prediction('first', three), prediction('second', { x: 1 })];
    expect((await postJson(m.tw.url, PREDICTIONS, two)).json).toEqual({
      accepted: 2,
      duplicates: 0,
    });
    const limit = /new model, but drift\.max_models \(2\)/;
    refused(await postJson(m.tw.url, PREDICTIONS, prediction('third', three)), 'model_name', limit);
    // A batch is refused whole: the known model's prediction in it is not kept either.
    const batch = [
      { ...prediction('first', three), prediction_id: 'first-2' },
      prediction('third', three),
    ];
    refused(await postJson(m.tw.url, PREDICTIONS, batch), '[1].model_name', limit);
    const baseline = { predictions: [{ features: three, prediction: 1 }] };
    refused(await postJson(m.tw.url, baselineOf('third'), baseline), 'model', limit);
  });

  it('stored and exported only the two admitted models, one prediction each', async () => {
    expect(await m.tw.exporter.storage.buffer.flush()).toBe(true);
    await m.handle.evaluate();
    expect(await countRowsOf(m.tw, 'model_registry')).toBe(2);
    expect(await countRowsOf(m.tw, 'model_predictions')).toBe(2);
    expect(await countRowsOf(m.tw, 'model_baselines')).toBe(0);
    const text = await modelMetricsOf(m.tw);
    expect(modelsIn(text)).toEqual(['first', 'second']);
    expect(
      sampleValue(text, 'tradewatch_model_predictions_received_total', { model: 'first' }),
    ).toBe(1);
  });
});

/**
 * A regressor with features `spread` (shifted by 14 of 50 steps), `volume` (shifted out of range)
 * and `sector` (categorical, unchanged), monitored with drift.bonferroni on: 3 tests at 0.05 / 3.
 * Prediction i of a window is `10 + i`; its outcome adds `error(i)`.
 */
describe('a regression model, with the Bonferroni correction', () => {
  let m: Monitored;
  const N = 50; // = min_samples
  const regressor = (
    prefix: string,
    shift: { spread: number; volume: number },
    error: (i: number) => number,
  ) =>
    Array.from({ length: N }, (_, i) => ({
      prediction_id: `${prefix}-${i}`,
      features: {
        spread: i + shift.spread,
        volume: i + shift.volume,
        sector: i % 2 === 0 ? 'tech' : 'energy',
      },
      prediction: 10 + i,
      actual: 10 + i + error(i),
    }));
  // Current errors +1 / -3 alternately: MAE (1 + 3) / 2 = 2, RMSE sqrt((1 + 9) / 2) = sqrt(5).
  // Baseline errors +1 / -1: MAE 1, RMSE 1.
  const current = regressor('now', { spread: 14, volume: 100 }, (i) => (i % 2 === 0 ? 1 : -3));
  const baseline = regressor('base', { spread: 0, volume: 0 }, (i) => (i % 2 === 0 ? 1 : -1));
  const reg = (metric: string, window: string) => ({ model: 'reg', metric, window });
  const ERROR = 'tradewatch_model_regression_error';
  const DROP = 'tradewatch_model_performance_degradation_ratio';

  beforeAll(async () => {
    m = await startMonitored({ ...ENV, TRADEWATCH_DRIFT__BONFERRONI: 'true' });
    // Outcomes of the even predictions come with them, the odd ones' later.
    const sent = current.map(({ actual, ...p }, i) => ({
      ...p,
      model_name: 'reg',
      ...(i % 2 === 0 ? { actual } : {}),
    }));
    expect((await postJson(m.tw.url, PREDICTIONS, sent)).json).toEqual({
      accepted: N,
      duplicates: 0,
    });
  });
  afterAll(async () => {
    await m?.tw.close();
  });

  it('exports no performance below min_samples outcomes', async () => {
    await m.handle.evaluate();
    const text = await modelMetricsOf(m.tw);
    expect(
      sampleValue(text, 'tradewatch_model_drift_window_outcomes', {
        model: 'reg',
        window: 'current',
      }),
    ).toBe(N / 2);
    expect(text).not.toMatch(/^tradewatch_model_regression_error\{/m);
  });

  it('exports the current MAE and RMSE before any baseline, with no drop', async () => {
    const later = current
      .filter((_, i) => i % 2 === 1)
      .map((p) => ({ model_name: 'reg', prediction_id: p.prediction_id, actual: p.actual }));
    expect((await postJson(m.tw.url, OUTCOMES, later)).json).toEqual({
      accepted: N / 2,
      duplicates: 0,
    });
    await m.handle.evaluate();
    const text = await modelMetricsOf(m.tw);
    expect(sampleValue(text, 'tradewatch_model_drift_enough_data', { model: 'reg' })).toBe(0);
    expect(sampleValue(text, ERROR, reg('mae', 'current'))).toBe(2);
    expect(sampleValue(text, ERROR, reg('rmse', 'current'))).toBeCloseTo(Math.sqrt(5), 12);
    expect(sampleValue(text, ERROR, reg('mae', 'baseline'))).toBeUndefined();
    expect(text).not.toMatch(/^tradewatch_model_performance_degradation_ratio\{/m);
    expect(text).not.toMatch(/NaN/);
  });

  describe('after a baseline given as data', () => {
    let text: string;
    beforeAll(async () => {
      const reply = await postJson(m.tw.url, baselineOf('reg'), { predictions: baseline });
      expect(reply.json).toMatchObject({ predictions: N, outcomes: N });
      await m.handle.evaluate();
      text = (await scrape(m.tw.url)).text;
    });

    it('exports baseline errors and the relative drop of each', () => {
      expect(sampleValue(text, ERROR, reg('mae', 'baseline'))).toBe(1);
      expect(sampleValue(text, ERROR, reg('rmse', 'baseline'))).toBe(1);
      expect(sampleValue(text, ERROR, reg('mae', 'current'))).toBe(2);
      // (current - baseline) / baseline: lower is better for errors
      expect(sampleValue(text, DROP, { model: 'reg', metric: 'mae' })).toBe(1);
      expect(sampleValue(text, DROP, { model: 'reg', metric: 'rmse' })).toBeCloseTo(
        Math.sqrt(5) - 1,
        12,
      );
      expect(text).not.toMatch(/^tradewatch_model_classification_performance_ratio\{/m);
    });

    it('tests each feature at alpha / 3 and does not flag one with 0.05 / 3 < p < 0.05', () => {
      const clf = { model: 'reg' };
      const f = (feature: string) => ({ model: 'reg', feature });
      expect(sampleValue(text, 'tradewatch_model_drift_enough_data', clf)).toBe(1);
      expect(sampleValue(text, 'tradewatch_model_drift_significance_level', clf)).toBe(0.05 / 3);
      // spread: D = 14/50; exact p = 2 sum_k (-1)^(k-1) C(100, 50 - 14k) / C(100, 50) (Hodges),
      // computed with Python's exact integers: 0.03919458619535223. Below 0.05, above 0.0167.
      expect(sampleValue(text, 'tradewatch_model_feature_ks_statistic', f('spread'))).toBe(0.28);
      const p = sampleValue(text, 'tradewatch_model_feature_drift_p_value', {
        ...f('spread'),
        test: 'ks',
      });
      expect(Math.abs(p! / 0.03919458619535223 - 1)).toBeLessThan(1e-9);
      expect(sampleValue(text, 'tradewatch_model_feature_drifted', f('spread'))).toBe(0);
      // volume: D = 1, p = 2 / C(100, 50): flagged at any level
      expect(sampleValue(text, 'tradewatch_model_feature_drifted', f('volume'))).toBe(1);
      expect(sampleValue(text, 'tradewatch_model_feature_drifted', f('sector'))).toBe(0);
      expect(sampleValue(text, 'tradewatch_model_drifted_features_ratio', clf)).toBeCloseTo(
        1 / 3,
        15,
      );
    });

    it('never exposes NaN and passes promtool check metrics', async () => {
      // tradewatch's own families; prom-client's event-loop statistics read NaN when two
      // scrapes come within its 10 ms sampling interval, which is prom-client's behaviour.
      expect(text).not.toMatch(/^tradewatch_.* NaN$/m);
      const run = await checkMetrics(text);
      expect(run.stdout + run.stderr).toBe('');
    });
  });
});
