#!/usr/bin/env node
// Soak test (issue 10): `node bench/soak.mjs [--minutes 10] [--rate 1000]`. Not part of
// `npm test`. Runs the built exporter (npm run build first) as a child process on an on-disk
// embedded store (or DATABASE_URL), the simulator against it (pipeline runs, ticks, prices,
// recommendations, predictions: its pipeline and drift traffic), and sends `--rate` events per
// second through the HTTP API on top: predictions and outcomes in batches of 20, pipeline runs
// and source heartbeats one per request. Every 10 s it samples the exporter's resident memory
// and event-loop lag from its own /metrics and the client-side ingest latency; at the end it
// prints a Markdown table (pasted into docs/reliability.md) and the verdict on the targets:
// resident memory grows less than 10% after the first minute, p99 ingest latency < 25 ms.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { httpRequest, median } from './lib.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    'no-simulator': { type: 'boolean', default: false },
    // Latencies of the first seconds (JIT warm-up, the simulator's backfill of its history) are
    // reported on their own line, not in the run's p99; the load runs at full rate throughout.
    'warmup-seconds': { type: 'string', default: '30' },
    // Writes a V8 CPU profile of the exporter (open in Chrome DevTools) into this directory.
    profile: { type: 'string' },
    // Writes allocation profiles (main thread and PGlite worker) sampled from 60 s to 100 s.
    'alloc-profile': { type: 'string' },
    // Extra Node.js options for the exporter (e.g. "--max-semi-space-size=32"), space-separated.
    'exporter-node-options': { type: 'string', default: '' },
  },
});
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const WARMUP_MS = Number(values['warmup-seconds']) * 1000;
const SAMPLE_MS = 10_000;
const DIST = new URL('../exporter/dist/', import.meta.url);
const token = randomBytes(24).toString('hex');

const dataDir = mkdtempSync(join(tmpdir(), 'tw-soak-'));
const children = [];
function start(file, args, env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, new URL(file, DIST).pathname, ...args], {
    env: { ...process.env, ...env, TRADEWATCH_INGEST_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}
function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
process.on('exit', () => {
  stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

const exporter = start(
  'main.js',
  [],
  {
    TRADEWATCH_HOST: '127.0.0.1',
    TRADEWATCH_PORT: '0',
    TRADEWATCH_LOG_LEVEL: 'info',
    TRADEWATCH_STORAGE__PGLITE_DATA_DIR: join(dataDir, 'data'),
    TRADEWATCH_RATE_LIMIT__INGEST_REQUESTS: '0',
    TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '0',
    ...(values['alloc-profile'] ? { BENCH_ALLOC_DIR: values['alloc-profile'] } : {}),
  },
  [
    ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []),
    ...(values['alloc-profile']
      ? [`--import=${new URL('alloc-preload.mjs', import.meta.url).pathname}`]
      : []),
    ...values['exporter-node-options'].split(' ').filter(Boolean),
  ],
);
const base = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('the exporter did not start in 60 s')), 60_000);
  exporter.stdout.setEncoding('utf8').on('data', (chunk) => {
    out += chunk;
    for (const line of out.split('\n')) {
      if (!line.includes('tradewatch exporter listening')) continue;
      clearTimeout(timer);
      resolve(JSON.parse(line).url);
    }
  });
  exporter.stderr.setEncoding('utf8').on('data', (chunk) => process.stderr.write(chunk));
  exporter.on('exit', (code) => reject(new Error(`the exporter exited with ${code}`)));
});
// Log lines at warn and above (pino level >= 40) would show problems.
let warnings = 0;
exporter.stdout.on('data', (chunk) => {
  warnings += (String(chunk).match(/"level":(4|5|6)\d/g) ?? []).length;
});
console.error(`exporter at ${base}; data in ${dataDir}`);

if (!values['no-simulator']) {
  const sim = start(
    'simulator/main.js',
    ['--url', base, '--control-port', '0', '--seed', '42'],
    {},
  );
  sim.stdout.resume();
  sim.stderr.resume();
}

// ------------------------------------------------------------------------------------------
// Load: RATE events per second, in four streams whose shares add up to one.
const iso = (ms) => new Date(ms).toISOString();
let seq = 0;
/** Ids of predictions the exporter accepted: outcomes name only those. */
const predictionIds = [];
const STREAMS = [
  {
    // 50%: predictions, 20 per request.
    path: '/v1/predictions',
    events: 20,
    share: 0.5,
    body() {
      const now = Date.now();
      return Array.from({ length: 20 }, () => {
        const id = `soak-${seq++}`;
        const x = Math.random();
        return {
          model_name: 'soak_model',
          prediction_id: id,
          time: iso(now),
          features: { x, y: Math.random() * 10, segment: x < 0.5 ? 'a' : 'b' },
          prediction: x > 0.5 ? 1 : 0,
          confidence: x,
        };
      });
    },
    accepted(items) {
      for (const item of items) predictionIds.push(item.prediction_id);
      if (predictionIds.length > 50_000) predictionIds.splice(0, 10_000);
    },
  },
  {
    // 20%: outcomes of accepted predictions, 20 per request (none before the first is accepted:
    // the model is unknown until then, and the exporter rightly answers 400).
    path: '/v1/outcomes',
    events: 20,
    share: 0.2,
    body() {
      if (predictionIds.length === 0) return undefined;
      return Array.from({ length: 20 }, () => ({
        model_name: 'soak_model',
        prediction_id: predictionIds[Math.floor(Math.random() * predictionIds.length)],
        actual: Math.random() > 0.5 ? 1 : 0,
      }));
    },
  },
  {
    // 20%: source heartbeats, one per request.
    path: () => `/v1/sources/soak_source_${seq++ % 5}/heartbeat`,
    events: 1,
    share: 0.2,
    body: () => ({ expected_interval_seconds: 60 }),
  },
  {
    // 10%: pipeline runs, one per request.
    path: '/v1/pipeline-runs',
    events: 1,
    share: 0.1,
    body() {
      const end = Date.now();
      return {
        pipeline_id: `soak-run-${seq++}`,
        pipeline: 'soak',
        status: 'completed',
        start_time: iso(end - 2000),
        end_time: iso(end),
        stages: [
          {
            stage_name: 'load',
            status: 'completed',
            symbols_input: 100,
            symbols_output: 50,
            duration_ms: 900,
            errors: [],
          },
          {
            stage_name: 'rank',
            status: 'completed',
            symbols_input: 50,
            symbols_output: 5,
            duration_ms: 1100,
            errors: [],
          },
        ],
      };
    },
  },
];

// node:http with keep-alive rather than fetch: the client's own per-request cost is part of the
// latency it measures, and on 2 cores it competes with the exporter for the CPU.
const port = Number(new URL(base).port);
const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });
// The client's own event-loop delay: a delayed client inflates the latencies it records.
const clientLag = monitorEventLoopDelay({ resolution: 10 });
clientLag.enable();
let interval = { latencies: [], sent: 0, ok: 0, failed: 0, statuses: {} };
const all = [];
const warmup = [];
async function send(stream) {
  const path = typeof stream.path === 'function' ? stream.path() : stream.path;
  const items = stream.body();
  if (items === undefined) return;
  const body = JSON.stringify(items);
  const bucket = interval;
  try {
    const res = await httpRequest(port, path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      agent: keepAlive,
    });
    bucket.latencies.push(res.ms);
    if (performance.now() - loadStartedAt < WARMUP_MS) warmup.push(res.ms);
    else {
      all.push(res.ms);
      stream.latencies.push(res.ms);
    }
    bucket.sent += stream.events;
    if (res.status < 300) {
      bucket.ok += stream.events;
      stream.accepted?.(items);
    } else {
      bucket.failed += stream.events;
      bucket.statuses[res.status] = (bucket.statuses[res.status] ?? 0) + 1;
    }
  } catch (err) {
    bucket.failed += stream.events;
    bucket.statuses[err.code ?? 'error'] = (bucket.statuses[err.code ?? 'error'] ?? 0) + 1;
  }
}

for (const stream of STREAMS) stream.latencies = [];
const loadStartedAt = performance.now();
// Each stream sends on its own schedule (requests per second = share * RATE / events).
const timers = STREAMS.map((stream) => {
  const perSecond = (stream.share * RATE) / stream.events;
  const tickMs = 20;
  let owed = 0;
  return setInterval(() => {
    owed += (perSecond * tickMs) / 1000;
    while (owed >= 1) {
      owed -= 1;
      void send(stream);
    }
  }, tickMs);
});

// ------------------------------------------------------------------------------------------
// Sampling
const quantile = (sorted, q) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
function metric(text, name) {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}
const samples = [];
let lastScrape = '';
/** Count and mean pause of the exporter's garbage collections of one kind, from prom-client. */
function gcPauses(text, kind) {
  const read = (suffix) =>
    Number(
      new RegExp(`^nodejs_gc_duration_seconds_${suffix}\\{kind="${kind}"\\} (\\S+)`, 'm').exec(
        text,
      )?.[1],
    );
  const count = read('count');
  return `${count} ${kind} (mean ${f1((read('sum') / count) * 1000)} ms)`;
}
const startedAt = Date.now();
async function sample() {
  const bucket = interval;
  interval = { latencies: [], sent: 0, ok: 0, failed: 0, statuses: {} };
  const text = await (await fetch(`${base}/metrics`)).text();
  lastScrape = text;
  const sorted = bucket.latencies.sort((a, b) => a - b);
  const s = {
    t: Math.round((Date.now() - startedAt) / 1000),
    rate: bucket.sent / (SAMPLE_MS / 1000),
    failed: bucket.failed,
    statuses: bucket.statuses,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    rssMiB: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
    heapMiB: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    heapTotalMiB: metric(text, 'nodejs_heap_size_total_bytes') / 2 ** 20,
    lagP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMaxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
    pending: metric(text, 'tradewatch_storage_buffer_events'),
    clientLagP99Ms: clientLag.percentile(99) / 1e6,
    load: loadavg()[0],
  };
  clientLag.reset();
  samples.push(s);
  console.error(
    `${s.t}s: ${s.rate.toFixed(0)} ev/s, p99 ${s.p99.toFixed(1)} ms, RSS ${s.rssMiB.toFixed(1)} MiB (heap ${s.heapMiB.toFixed(0)} of ${s.heapTotalMiB.toFixed(0)}), buffered ${s.pending}, lag p99 ${s.lagP99Ms.toFixed(1)} ms (client ${s.clientLagP99Ms.toFixed(1)}), load ${s.load.toFixed(2)}`,
  );
}
const sampler = setInterval(() => void sample(), SAMPLE_MS);
await new Promise((r) => setTimeout(r, MINUTES * 60_000));
for (const t of timers) clearInterval(t);
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 1000));

// ------------------------------------------------------------------------------------------
// Report: one row per minute (the last sample of each minute; latency over the minute).
const rows = [];
for (let minute = 1; minute <= MINUTES; minute++) {
  const inMinute = samples.filter((s) => s.t > (minute - 1) * 60 && s.t <= minute * 60 + 1);
  if (inMinute.length === 0) continue;
  const last = inMinute.at(-1);
  const avg = (f) => inMinute.reduce((a, s) => a + f(s), 0) / inMinute.length;
  rows.push({
    minute,
    rate: avg((s) => s.rate),
    failed: inMinute.reduce((a, s) => a + s.failed, 0),
    p50: avg((s) => s.p50),
    p99: Math.max(...inMinute.map((s) => s.p99)),
    // A minute's memory level: the median of its 10 s samples. One sample lands anywhere in
    // the JS heap's collection cycle (tens of MiB between collections), a median does not.
    rss: median(inMinute.map((s) => s.rssMiB)),
    rssMin: Math.min(...inMinute.map((s) => s.rssMiB)),
    rssMax: Math.max(...inMinute.map((s) => s.rssMiB)),
    heap: last.heapMiB,
    buffered: Math.max(...inMinute.map((s) => s.pending)),
    lag: Math.max(...inMinute.map((s) => s.lagP99Ms)),
    lagMax: Math.max(...inMinute.map((s) => s.lagMaxMs)),
    clientLag: Math.max(...inMinute.map((s) => s.clientLagP99Ms)),
    load: avg((s) => s.load),
  });
}
const sortedAll = all.sort((a, b) => a - b);
const firstMinuteRss = rows[0]?.rss ?? NaN;
const laterRss = rows.slice(1).map((r) => r.rss);
const peakLater = laterRss.length ? Math.max(...laterRss) : NaN;
const peakMinute = rows.slice(1).find((r) => r.rss === peakLater)?.minute;
const growth = (peakLater / firstMinuteRss - 1) * 100;
const p99All = quantile(sortedAll, 0.99);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

console.log(
  `\nSoak: ${MINUTES} min at ${RATE} events/s target; node ${process.version}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; simulator ${values['no-simulator'] ? 'off' : 'on'}; store: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite on disk'}\n`,
);
console.log(
  '| minute | events/s | failed | p50 ms | p99 ms | RSS MiB median (min–max) | heap MiB | buffered writes max | loop lag p99 ms | loop lag max ms | client loop lag p99 ms | load avg |',
);
console.log(
  '| -----: | -------: | -----: | -----: | -----: | -----------------------: | -------: | ------------------: | --------------: | --------------: | ---------------------: | -------: |',
);
for (const r of rows) {
  console.log(
    `| ${r.minute} | ${r.rate.toFixed(0)} | ${r.failed} | ${f1(r.p50)} | ${f1(r.p99)} | ${f1(r.rss)} (${r.rssMin.toFixed(0)}–${r.rssMax.toFixed(0)}) | ${f1(r.heap)} | ${r.buffered} | ${f1(r.lag)} | ${f1(r.lagMax)} | ${f1(r.clientLag)} | ${r.load.toFixed(2)} |`,
  );
}
console.log(
  `\nWarm-up (first ${WARMUP_MS / 1000} s, not counted below): ${warmup.length} requests, p99 ${f1(
    quantile(
      warmup.sort((a, b) => a - b),
      0.99,
    ),
  )} ms, max ${f1(warmup.at(-1))} ms.`,
);
console.log(
  `Requests after the warm-up: ${sortedAll.length}; ingest latency p50 ${f1(quantile(sortedAll, 0.5))} ms, p99 ${f1(p99All)} ms, max ${f1(sortedAll.at(-1))} ms (target p99 < 25 ms: ${p99All < 25 ? 'met' : 'NOT met'}).`,
);
const wholeRun = [...warmup, ...sortedAll].sort((a, b) => a - b);
const refusals = {};
// The sampled intervals, and the one after the last sample.
for (const s of [...samples, interval])
  for (const [status, n] of Object.entries(s.statuses))
    refusals[status] = (refusals[status] ?? 0) + n;
console.log(
  `Whole run including the warm-up: p99 ${f1(quantile(wholeRun, 0.99))} ms; failed requests by status: ${JSON.stringify(refusals)}.`,
);
console.log(
  `RSS (median of each minute's samples) in minute 1: ${f1(firstMinuteRss)} MiB; highest later: ${f1(peakLater)} MiB (minute ${peakMinute ?? '-'}); growth ${f1(growth)}% (target < 10%: ${growth < 10 ? 'met' : 'NOT met'}). Highest single sample after minute 1: ${f1(Math.max(...samples.filter((s) => s.t > 61).map((s) => s.rssMiB)))} MiB.`,
);
for (const stream of STREAMS) {
  const sorted = stream.latencies.sort((a, b) => a - b);
  const path = typeof stream.path === 'function' ? stream.path() : stream.path;
  console.log(
    `  ${path.replace(/soak_source_\d/, ':name')}: p50 ${f1(quantile(sorted, 0.5))} ms, p99 ${f1(quantile(sorted, 0.99))} ms`,
  );
}
console.log(
  `Exporter garbage collections: ${gcPauses(lastScrape, 'minor')}, ${gcPauses(lastScrape, 'major')}.`,
);
console.log(`Exporter log lines at warn or above: ${warnings}.`);
// Wait for the children's graceful shutdown (the exporter writes its CPU profile on exit).
const exited = children.map((c) =>
  c.exitCode === null ? new Promise((resolve) => c.once('exit', resolve)) : null,
);
stopAll();
await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 30_000))]);
process.exit(0);
