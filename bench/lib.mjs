// Shared helpers for the benchmarks: options, machine facts, timing loops, child processes,
// HTTP on loopback, the upstream payloads and result printing. Benchmarks import the BUILT
// exporter (exporter/dist), so run `npm run build` first (`npm run bench` does).
import { spawn, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request, createServer } from 'node:http';
import os from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { tsImport } from 'tsx/esm/api';

/** `--quick` or BENCH_QUICK=1: a short smoke run (figures are not meant to be published). */
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
export const HOST = '127.0.0.1';

/** BENCH_DIST=dir runs the benchmarks against another build (e.g. a candidate fix) instead. */
const DIST = process.env.BENCH_DIST
  ? pathToFileURL(`${resolve(process.env.BENCH_DIST)}/`)
  : new URL('../exporter/dist/', import.meta.url);

/** Imports a module of the built exporter, e.g. `await fromDist('sdk/index.js')`. */
export async function fromDist(path) {
  const url = new URL(path, DIST);
  if (!existsSync(url)) {
    throw new Error(`${fileURLToPath(url)} is missing: run \`npm run build\` first`);
  }
  return import(url.href);
}

export const distPath = (path) => fileURLToPath(new URL(path, DIST));
export const benchPath = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The facts docs/performance.md records next to the figures. */
export function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const field = (name) => new RegExp(`^${name}\\s*: (.*)$`, 'm').exec(cpuinfo)?.[1];
  const family = field('cpu family');
  return {
    cpu: `${field('model name') ?? os.cpus()[0]?.model ?? 'unknown'}${family ? ` (family ${family}, model ${field('model')})` : ''}`,
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/**
 * Share of the whole machine's CPU that was busy over `ms` while this process idles: other
 * work on the box (it disturbs every figure, so the report states it).
 */
export async function backgroundLoad(ms = 1000) {
  const read = () => {
    if (!existsSync('/proc/stat')) return undefined;
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .map(Number);
    const idle = ticks[3] + (ticks[4] ?? 0);
    return { idle, total: ticks.reduce((a, b) => a + b, 0) };
  };
  const before = read();
  await sleep(ms);
  const after = read();
  if (!before || !after || after.total === before.total) return undefined;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}

// ---------------------------------------------------------------------------------------------
// Timing loops

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Times in-process cases against each other. Each case is `{ name, run(n) }` where `run` does
 * n operations in its own loop (so no shared, megamorphic call site skews the cheap ones).
 * Cases are warmed up, then interleaved round by round; the result is the median ns/op.
 * Bounded by `rounds` and by `maxSeconds` overall.
 */
export function compareLoops(cases, { iterations, rounds, warmup, maxSeconds }) {
  for (const c of cases) c.run(warmup);
  const samples = new Map(cases.map((c) => [c.name, []]));
  const deadline = performance.now() + maxSeconds * 1000;
  for (let r = 0; r < rounds && (r < 3 || performance.now() < deadline); r++) {
    for (const c of cases) {
      const start = process.hrtime.bigint();
      c.run(iterations);
      const elapsed = Number(process.hrtime.bigint() - start);
      samples.get(c.name).push(elapsed / iterations);
    }
  }
  return Object.fromEntries([...samples].map(([name, ns]) => [name, median(ns)]));
}

// ---------------------------------------------------------------------------------------------
// Child processes and loopback HTTP

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One request on loopback; resolves with status, body (utf8) and elapsed milliseconds. */
export function httpRequest(port, path, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request({ host: HOST, port, path, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - start,
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls until `path` answers (with `status`, if given); gives up after `timeoutMs`. */
async function waitUntilUp(port, path, status, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const res = await httpRequest(port, path);
      if (status === undefined || res.status === status) return;
      lastError = new Error(`${path} answered ${res.status}`);
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  throw new Error(`server on port ${port} did not come up: ${lastError?.message}`);
}

/**
 * One scrape of a server's /metrics: the value of each unlabelled sample named in `names`
 * (NaN when absent), e.g. `await metricSamples(port, ['tradewatch_storage_writes_total'])`.
 */
export async function metricSamples(port, names) {
  const { status, body } = await httpRequest(port, '/metrics');
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  const values = {};
  for (const name of names) {
    values[name] = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1] ?? NaN);
  }
  return values;
}

/** BENCH_CPU_PROF=dir: every server child writes a V8 CPU profile there when it stops. */
const PROFILE_ARGS = process.env.BENCH_CPU_PROF
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
  : [];

/** Environment for a child: ours, minus any TRADEWATCH_* settings of the caller's shell. */
function childEnv(extra) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TRADEWATCH_')),
  );
  return { ...env, ...extra };
}

/**
 * Starts a Node script as a separate process (its own event loop and core) listening on a
 * free loopback port, and waits until `readyPath` answers. The child gets the port as
 * BENCH_PORT, and `env` may be a function of it. `ipc: true` forks it with a channel.
 */
export async function startServer(
  script,
  { args = [], env = {}, readyPath = '/', readyStatus, ipc = false } = {},
) {
  const port = await freePort();
  const extra = typeof env === 'function' ? env(port) : env;
  const options = { env: childEnv({ ...extra, BENCH_PORT: String(port) }) };
  const child = ipc
    ? fork(script, args, {
        ...options,
        execArgv: PROFILE_ARGS,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : spawn(process.execPath, [...PROFILE_ARGS, script, ...args], {
        ...options,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitUntilUp(port, readyPath, readyStatus, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    child,
    /** Asks the child (by its pid) to stop; kills it if it has not exited within 5 s. */
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * POSTs generated ingest bodies (`bodyFactory(kind, batch)`) to `path` with autocannon for
 * `seconds`, as fast as `connections` allow or at `overallRate` requests/s; resolves with
 * autocannon's result.
 */
export function postLoad({ port, path, kind, batch, seconds, token, connections, overallRate }) {
  const makeBody = bodyFactory(kind, batch);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://${HOST}:${port}${path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        connections,
        pipelining: 1,
        duration: seconds,
        ...(overallRate ? { overallRate } : {}),
        requests: [{ setupRequest: (req) => ({ ...req, body: makeBody() }) }],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

/** Sends a message to a forked child and resolves with its next reply. */
export function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

// ---------------------------------------------------------------------------------------------
// The upstream payloads, from the tests' single copy (test/helpers/payloads.ts, through tsx)

const payloads = await tsImport('../test/helpers/payloads.ts', import.meta.url);

/** Document 000 section 1.1's pipeline run, finished; `pipeline_id` is replaced per event. */
export const PIPELINE_RUN = payloads.seedRun();

/** Document 001's engine metrics snapshot, as published after each tick. */
export const ENGINE_SNAPSHOT = payloads.seedSnapshot();

/** Document 000 section 2.1's recommendation; `tracking_id`, `symbol` and dates are replaced. */
export const RECOMMENDATION = payloads.seedRecommendation();

export const STAGE_NAMES = PIPELINE_RUN.stages.map((s) => s.stage_name);

const [RUN_HEAD, RUN_TAIL] = JSON.stringify({ ...PIPELINE_RUN, pipeline_id: '@ID@' }).split(
  '"@ID@"',
);
let nextRunId = 0; // shared by every factory: ids never repeat within one process

/**
 * Request bodies of `batch` events (one object, or an array). Pipeline runs get a distinct
 * pipeline_id per event (`discovery_20250903_<n>`, so the pipeline label stays `discovery`):
 * the exporter ignores a finished run it has already recorded.
 */
export function bodyFactory(kind, batch) {
  if (kind === 'tick') {
    const one = JSON.stringify(ENGINE_SNAPSHOT);
    const body = batch === 1 ? one : `[${new Array(batch).fill(one).join(',')}]`;
    return () => body;
  }
  const one = () => `${RUN_HEAD}"discovery_20250903_${nextRunId++}"${RUN_TAIL}`;
  return () => {
    if (batch === 1) return one();
    const parts = new Array(batch);
    for (let i = 0; i < batch; i++) parts[i] = one();
    return `[${parts.join(',')}]`;
  };
}

/**
 * The series a scrape benchmark target holds: `total` series by Prometheus' count (every
 * `_bucket`, `_sum` and `_count` line is one), 60 % in stage-duration histograms, 20 % in the
 * stage symbol gauges and 20 % in the eliminations counter, with the catalogue's names, help,
 * labels and buckets. Both targets are filled from this one plan, so they hold the same samples.
 */
export function seriesPlan(total, pipelineMetrics) {
  const { stageDuration, stageSymbolsInput, stageSymbolsOutput, eliminations } = pipelineMetrics;
  const perHistogram = stageDuration.buckets.length + 3; // buckets, +Inf, _sum, _count
  const histograms = Math.round((0.6 * total) / perHistogram);
  const gauges = Math.round(0.2 * total);
  const counters = total - histograms * perHistogram - gauges;
  const stageLabels = (i) => [`pipeline_${Math.floor(i / 5)}`, STAGE_NAMES[i % 5]];
  const series = [];
  for (let i = 0; i < histograms; i++) {
    series.push({
      def: stageDuration,
      labels: stageLabels(i),
      values: [0.245 * (1 + (i % 7)), 1.823, 3.456 + (i % 13)],
    });
  }
  for (let i = 0; i < gauges; i++) {
    const def = i % 2 === 0 ? stageSymbolsInput : stageSymbolsOutput;
    series.push({ def, labels: stageLabels(i >> 1), values: [2847 - (i % 2847)] });
  }
  for (let i = 0; i < counters; i++) {
    const [pipeline] = stageLabels(Math.floor(i / 5));
    series.push({
      def: eliminations,
      labels: [pipeline, STAGE_NAMES[Math.floor(i / 5) % 5], `reason_${i % 5}`],
      values: [1 + (i % 1000)],
    });
  }
  return { families: [stageDuration, stageSymbolsInput, stageSymbolsOutput, eliminations], series };
}

// ---------------------------------------------------------------------------------------------
// Results

/**
 * A benchmark returns `{ title, tables: [{ caption, headers, rows }], checks }`, each check
 * `{ target, measured, pass }`. Figures are formatted by the benchmark.
 */
export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function printResult(result) {
  console.log(`\n## ${result.title}\n`);
  for (const table of result.tables) {
    if (table.caption) console.log(`${table.caption}\n`);
    console.log(`${markdownTable(table.headers, table.rows)}\n`);
  }
  if (result.checks.length > 0) {
    console.log(
      markdownTable(
        ['target', 'measured', 'result'],
        result.checks.map((c) => [c.target, c.measured, c.pass ? 'PASS' : 'FAIL']),
      ),
    );
  }
}

/** Runs `bench` when its module is the entry point (`node bench/sdk.mjs [--quick]`). */
export async function runIfMain(meta, bench) {
  if (!process.argv[1] || pathToFileURL(process.argv[1]).href !== meta.url) return;
  await printMachine();
  printResult(await bench({ quick: QUICK }));
}

export async function printMachine() {
  const info = machine();
  const load = await backgroundLoad();
  console.log(
    `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, ${info.os}` +
      `${load === undefined ? '' : `; background CPU load before the run: ${(load * 100).toFixed(0)} %`}` +
      `${QUICK ? ' (quick run: smoke test only)' : ''}`,
  );
  return { ...info, backgroundLoad: load };
}

export const fmt = {
  int: (n) => Math.round(n).toLocaleString('en-US'),
  ms: (n) => n.toFixed(n < 10 ? 2 : 1),
  ratio: (n) => n.toFixed(2),
};
