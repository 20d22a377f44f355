// Drift evaluation: one evaluation of 50 numeric features, 10,000 reference and 10,000 current
// values each (KS exact p-value + PSI per feature, as the exporter runs it), timed against
// scipy.stats.ks_2samp(method='auto') on the same data in the same run. Also checks that the
// p-values agree with scipy's. scipy is optional: without it the bench says so and skips that row.
// `node bench/drift.mjs [--quick]`
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, fromDist, median, runIfMain } from './lib.mjs';

const FEATURES = 50;
const N = 10_000;
const TARGET_MS = 100;

/** mulberry32: the same values on every run. */
function uniform(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Feature f: normal-ish (sum of 3 uniforms); every fifth one shifted in the current window. */
function dataset() {
  const rnd = uniform(42);
  const draw = (shift) => rnd() + rnd() + rnd() + shift;
  const reference = [];
  const current = [];
  for (let f = 0; f < FEATURES; f++) {
    const shift = f % 5 === 0 ? 0.02 * (f / 5 + 1) : 0;
    reference.push(Float64Array.from({ length: N }, () => draw(0)));
    current.push(Float64Array.from({ length: N }, () => draw(shift)));
  }
  return { reference, current };
}

const SCIPY = `
import json, sys, time
import numpy as np
from scipy import stats
import scipy
path, features, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = np.fromfile(path, dtype='<f8').reshape(2, features, n)
times, pvalues = [], []
for r in range(rounds):
    t0 = time.perf_counter()
    res = [stats.ks_2samp(data[0, f], data[1, f], method='auto') for f in range(features)]
    times.append((time.perf_counter() - t0) * 1000)
    pvalues = [float(x.pvalue) for x in res]
print(json.dumps({"version": scipy.__version__, "ms": times, "p": pvalues}))
`;

/** scipy's timings and p-values, or the reason it could not run. */
function runScipy(data, rounds) {
  const dir = mkdtempSync(join(tmpdir(), 'tw-drift-bench-'));
  try {
    const file = join(dir, 'data.f64');
    const all = new Float64Array(2 * FEATURES * N);
    [...data.reference, ...data.current].forEach((column, i) => all.set(column, i * N));
    writeFileSync(file, Buffer.from(all.buffer));
    let reason = 'python3 not found';
    for (const python of ['python3', '/usr/bin/python3']) {
      const run = spawnSync(python, ['-c', SCIPY, file, FEATURES, N, rounds], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (run.status === 0) return JSON.parse(run.stdout);
      reason = run.error?.message ?? run.stderr.trim().split('\n').pop();
    }
    return { absent: reason };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function bench({ quick }) {
  const { evaluateModel } = await fromDist('drift/evaluate.js');
  const { prepareReference } = await fromDist('drift/reference.js');
  const { ksTwoSample } = await fromDist('drift/ks.js');
  const rounds = quick ? 3 : 15;
  const data = dataset();
  const names = Array.from({ length: FEATURES }, (_, f) => `f${String(f).padStart(2, '0')}`);
  const schema = { task: 'regression', features: new Map(names.map((n) => [n, 'numeric'])) };
  const observations = (columns) =>
    Array.from({ length: N }, (_, i) => ({
      id: String(i),
      timeSeconds: i,
      values: columns.map((c) => c[i]),
      prediction: 0,
    }));
  const refObs = observations(data.reference);
  const curObs = observations(data.current);
  const settings = { alpha: 0.05, bonferroni: false, psiBins: 10, minSamples: 100 };
  const prepare = () =>
    prepareReference(schema, { setAtSeconds: 0, source: { kind: 'data' }, observations: refObs });

  const evaluation = [];
  const withReference = [];
  const ksOnly = [];
  let result;
  for (let r = 0; r < rounds + 1; r++) {
    let t0 = performance.now();
    const reference = prepare();
    const prepared = performance.now() - t0;
    t0 = performance.now();
    result = await evaluateModel(schema, reference, curObs, settings, 0);
    const evaluated = performance.now() - t0;
    t0 = performance.now();
    for (let f = 0; f < FEATURES; f++) ksTwoSample(data.reference[f], data.current[f]);
    const ks = performance.now() - t0;
    if (r === 0) continue; // warm-up
    evaluation.push(evaluated);
    withReference.push(prepared + evaluated);
    ksOnly.push(ks);
  }
  const ours = median(evaluation);
  const cold = median(withReference);
  const ksMs = median(ksOnly);

  const scipy = runScipy(data, rounds);
  const scipyMs = scipy.absent ? undefined : median(scipy.ms);
  let agreement = 'scipy absent';
  if (!scipy.absent) {
    let worst = 0;
    result.features.forEach((t, f) => {
      const p = scipy.p[f];
      const rel = p === t.pValue ? 0 : Math.abs(t.pValue - p) / Math.max(Math.abs(p), 1e-300);
      worst = Math.max(worst, rel);
    });
    agreement = `max relative p-value difference ${worst.toExponential(2)} over ${FEATURES} features`;
  }
  const perFeature = (ms) => `${((ms / FEATURES) * 1000).toFixed(0)} µs`;
  const drifted = result.features.filter((t) => t.drifted).length;
  const scipyRow = scipy.absent
    ? [
        `scipy.stats.ks_2samp: NOT RUN (${scipy.absent}; apt-get install -y python3-scipy)`,
        '–',
        '–',
      ]
    : [
        `scipy ${scipy.version} ks_2samp(method='auto'), 50 features`,
        `${fmt.ms(scipyMs)} ms`,
        perFeature(scipyMs),
      ];
  return {
    title: `Drift: one evaluation of ${FEATURES} numeric features, ${N} reference and ${N} current values each`,
    tables: [
      {
        caption: `Median of ${rounds} rounds after one warm-up. ${drifted} of ${FEATURES} features flagged (every fifth is shifted). p-values vs scipy: ${agreement}.`,
        headers: ['what', 'whole', 'per feature'],
        rows: [
          [
            'evaluation (KS + PSI per feature, reference prepared at baseline time)',
            `${fmt.ms(ours)} ms`,
            perFeature(ours),
          ],
          [
            'the same plus preparing the reference (sorting it)',
            `${fmt.ms(cold)} ms`,
            perFeature(cold),
          ],
          [
            'ksTwoSample alone on unsorted windows (what scipy does)',
            `${fmt.ms(ksMs)} ms`,
            perFeature(ksMs),
          ],
          scipyRow,
        ],
      },
    ],
    checks: [
      {
        target: `whole evaluation ≤ ${TARGET_MS} ms`,
        measured: `${ours.toFixed(1)} ms (with reference preparation ${cold.toFixed(1)} ms)`,
        pass: ours <= TARGET_MS,
      },
      {
        target: 'no slower than scipy ks_2samp per feature',
        measured: scipy.absent
          ? `scipy absent (${scipy.absent})`
          : `ksTwoSample ${perFeature(ksMs)} vs scipy ${perFeature(scipyMs)} (${(scipyMs / ksMs).toFixed(1)} × faster)`,
        pass: scipy.absent ? false : ksMs <= scipyMs,
      },
    ],
    raw: {
      ours,
      cold,
      ksMs,
      scipyMs,
      scipy: scipy.absent ? { absent: scipy.absent } : scipy.version,
    },
  };
}

await runIfMain(import.meta, bench);
