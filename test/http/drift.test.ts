import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriftDomain, type DriftHandle } from '../../exporter/src/drift/domain.js';
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

  const start = async (db = fresh.db): Promise<TestExporter> =>
    startExporter(ENV, {
      domains: [createDriftDomain({ onStart: (h) => (handle = h) })],
      storage: { db },
    });
  const modelMetrics = async (): Promise<string> =>
    onlyFamilies((await scrape(tw.url)).text, ['tradewatch_model_']);
  const countRows = async (table: string): Promise<number> =>
    (
      await tw.exporter.storage.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
    )[0]!.n;

  beforeAll(async () => {
    fresh = await backend.fresh();
    tw = await start();
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
    beforeAll(async () => {
      const baseline = await postJson(tw.url, baselineOf('clf'), {
        from: iso(baselineStart),
        to: iso(currentStart),
        importances: { momentum: 0.5, volume: 0.3, regime: 0.2 },
      });
      expect(baseline.status).toBe(200);
      expect(baseline.json).toMatchObject({ model: 'clf', predictions: 300, outcomes: 0 });
      // The current window: momentum shifted by 0.3, the rest as before.
      const current = predictions('cur', 200, currentStart, 0.3, 2);
      expect((await postJson(tw.url, PREDICTIONS, current)).status).toBe(200);
      const outcomes = current.map((p, i) => ({
        model_name: 'clf',
        prediction_id: p.prediction_id,
        actual: i % 4 === 0 ? !p.prediction : p.prediction,
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
      const acc = (window: string) => ({ model: 'clf', metric: 'accuracy', window });
      expect(
        sampleValue(text, 'tradewatch_model_classification_performance_ratio', acc('current')),
      ).toBeUndefined(); // no baseline performance to compare with: not evaluated
      expect(
        sampleValue(text, 'tradewatch_model_classification_performance_ratio', acc('baseline')),
      ).toBeUndefined();
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
      expect(text).not.toMatch(/ NaN$/m);
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
    tw = await start(backend.name === 'postgres' ? fresh.openAnother() : fresh.db);
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
