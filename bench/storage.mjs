// Storage (issue 3): sustained database writes and recommendation-tracking updates per second,
// against a throwaway PostgreSQL server the benchmark starts and removes (initdb + pg_ctl from
// the machine's packages, through test/setup/postgres.ts) and against embedded PGlite in a
// temporary directory. The exporter runs in its own process (`node exporter/dist/main.js`);
// recommendations are posted, then price batches for their symbols are streamed on loopback at
// a fixed rate, and the exporter's own counters say what it wrote and recomputed in the window.
// Two histories: none (every price is new), and one day of minute prices per symbol already
// stored (as once a recommendation has aged a day: incremental tracking must not read it back).
// `node bench/storage.mjs [--quick]`
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tsImport } from 'tsx/esm/api';
import {
  distPath,
  fmt,
  fromDist,
  httpRequest,
  median,
  metricSamples,
  RECOMMENDATION,
  runIfMain,
  startServer,
} from './lib.mjs';

/** Document 000: 500 recommendation-tracking updates and 200 database writes a minute. */
const DOCUMENT_PER_SECOND = { updates: 500 / 60, writes: 200 / 60 };
const TARGET_MULTIPLE = 100; // issue 3: at least 100 × document 000's rates, sustained
const TOKEN = 'bench-storage-token-0123456789';
const SYMBOLS = 200; // one open recommendation each
/** Price batches per second, one price per symbol each: 2,000 prices/s offered. */
const BATCHES_PER_SECOND = 10;
const INFLIGHT = 4; // requests in flight at most (a slow exporter slows the sender)
/** Share of the write buffer's capacity its depth may reach and still count as bounded. */
const BOUNDED_SHARE = 0.1;
const HISTORIES = [
  { name: 'none', minutes: 0 },
  { name: '1 day of minute prices', minutes: 1440 },
];

const METRICS = {
  writes: 'tradewatch_storage_writes_total',
  updates: 'tradewatch_recommendation_tracking_updates_total',
  failures: 'tradewatch_recommendation_tracking_failures_total',
  buffer: 'tradewatch_storage_buffer_events',
  rejected: 'tradewatch_storage_rejected_writes_total',
  capacity: 'tradewatch_storage_buffer_capacity_events',
};

async function counters(port) {
  const values = await metricSamples(port, Object.values(METRICS));
  const out = { t: performance.now() };
  for (const [key, name] of Object.entries(METRICS)) out[key] = values[name];
  return out;
}

const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
const symbolOf = (i) => `BS${String(i).padStart(3, '0')}`;
const DAY_MS = 86_400_000;

/**
 * Times, relative to the start of a run: recommendations were discovered 2.5 to 2.9 days ago
 * (all open: 30-day windows), the stored history covers the day before `streamFromMs`, and
 * streamed batch k is at `streamFromMs` + k seconds (so every price is a new row, in the past).
 */
function clock(nowMs) {
  return {
    discovery: (i) => new Date(nowMs - (2.5 + (i % 5) / 10) * DAY_MS).toISOString(),
    streamFromMs: nowMs - DAY_MS,
  };
}

function recommendations(times) {
  return Array.from({ length: SYMBOLS }, (_, i) => ({
    ...RECOMMENDATION,
    tracking_id: `bench_storage_${symbolOf(i)}`,
    symbol: symbolOf(i),
    discovery_date: times.discovery(i),
  }));
}

const BASE_PRICE = RECOMMENDATION.recommendation_data.price_at_discovery;

function priceBatch(k, times) {
  const time = new Date(times.streamFromMs + k * 1000).toISOString();
  const updates = new Array(SYMBOLS);
  for (let i = 0; i < SYMBOLS; i++) {
    const price = Math.round(BASE_PRICE * (1 + 0.3 * Math.sin(k / 40 + i)) * 1e4) / 1e4;
    updates[i] = { symbol: symbolOf(i), time, price, volume: 1000 + k };
  }
  return JSON.stringify(updates);
}

/**
 * Stores `minutes` minute prices per symbol before `streamFromMs`, straight into the database
 * (migrated by the exporter's own code), before the exporter opens it.
 */
async function storeHistory(location, minutes, times) {
  const { openDatabase, migrate } = await fromDist('storage/index.js');
  const db = await openDatabase({ storage: location });
  try {
    await migrate(db);
    await db.query(
      `INSERT INTO prices (symbol, time, price, volume)
       SELECT 'BS' || lpad(s::text, 3, '0'), $1::timestamptz - m * INTERVAL '1 minute',
              round((${BASE_PRICE} * (1 + 0.3 * sin(m / 40.0 + s)))::numeric, 4), 1000
         FROM generate_series(0, ${SYMBOLS - 1}) s, generate_series(1, $2::int) m`,
      [new Date(times.streamFromMs).toISOString(), minutes],
    );
  } finally {
    await db.close();
  }
}

/**
 * Posts price batches (from `state.next` on) at BATCHES_PER_SECOND, at most INFLIGHT at a time,
 * until `seconds` have passed. 503 (write buffer full) is counted; any other non-200 throws.
 */
async function stream(port, state, seconds) {
  const agent = new Agent({ keepAlive: true, maxSockets: INFLIGHT });
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const out = { ok: 0, refused: 0, ms: [] };
  const inflight = new Set();
  try {
    for (let n = 0; n < BATCHES_PER_SECOND * seconds; n++) {
      const due = started + (n * 1000) / BATCHES_PER_SECOND;
      if (due > performance.now()) await sleep(due - performance.now());
      if (inflight.size >= INFLIGHT) await Promise.race(inflight);
      if (performance.now() >= deadline) break;
      const body = priceBatch(state.next++, state.times);
      const req = httpRequest(port, '/v1/prices', { method: 'POST', headers: HEADERS, body, agent })
        .then((res) => {
          out.ms.push(res.ms);
          if (res.status === 503) out.refused++;
          else if (res.status === 200) out.ok++;
          else throw new Error(`POST /v1/prices answered ${res.status}: ${res.body.slice(0, 300)}`);
        })
        .finally(() => inflight.delete(req));
      inflight.add(req);
    }
    await Promise.all(inflight);
  } finally {
    agent.destroy();
  }
  return { ...out, seconds: (performance.now() - started) / 1000 };
}

/** Waits (at most `seconds`) until the buffer is empty and nothing was written for 1 s. */
async function settle(port, seconds) {
  const started = performance.now();
  let last = await counters(port);
  let quietSince = last.t;
  while (performance.now() - started < seconds * 1000) {
    await sleep(200);
    const now = await counters(port);
    if (now.updates !== last.updates || now.writes !== last.writes || now.buffer > 0) {
      quietSince = now.t;
    } else if (now.t - quietSince >= 1000) {
      return (quietSince - started) / 1000;
    }
    last = now;
  }
  return undefined;
}

/** Per-second rate of `key` between the samples nearest to fractions `from` and `to` of the window. */
function rateBetween(samples, key, from, to) {
  const t0 = samples[0].t;
  const span = samples.at(-1).t - t0;
  const near = (f) =>
    samples.reduce((a, b) =>
      Math.abs(b.t - t0 - f * span) < Math.abs(a.t - t0 - f * span) ? b : a,
    );
  const a = near(from);
  const b = near(to);
  return b.t > a.t ? ((b[key] - a[key]) * 1000) / (b.t - a.t) : NaN;
}

/** Least-squares slope of the buffer depth over the window, in writes per second. */
function depthTrend(samples) {
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const md = samples.reduce((a, s) => a + s.buffer, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mt) * (s.buffer - md);
    den += (s.t - mt) ** 2;
  }
  return den > 0 ? (num / den) * 1000 : 0;
}

/** One run: a fresh database (`storage` location and the exporter's env), one history. */
async function run(backend, storage, history, { warmSeconds, seconds }) {
  const times = clock(Date.now());
  if (history.minutes > 0) await storeHistory(storage.location, history.minutes, times);
  const server = await startServer(distPath('main.js'), {
    env: (port) => ({
      TRADEWATCH_HOST: '127.0.0.1',
      TRADEWATCH_PORT: String(port),
      TRADEWATCH_INGEST_TOKEN: TOKEN,
      TRADEWATCH_LOG_LEVEL: 'warn',
      TRADEWATCH_RATE_LIMIT__INGEST_REQUESTS: '0',
      ...storage.env,
    }),
    readyPath: '/readyz',
    readyStatus: 200,
  });
  const kill = () => server.child.kill('SIGKILL');
  process.once('exit', kill);
  try {
    const port = server.port;
    const res = await httpRequest(port, '/v1/recommendations', {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(recommendations(times)),
    });
    if (res.status !== 200) {
      throw new Error(`POST /v1/recommendations answered ${res.status}: ${res.body}`);
    }
    await settle(port, 60);
    const state = { next: 0, times };
    await stream(port, state, warmSeconds);

    const samples = [await counters(port)];
    let sampling = true;
    let samplingError;
    const sampler = (async () => {
      while (sampling) {
        await sleep(1000);
        if (sampling) samples.push(await counters(port));
      }
    })().catch((err) => {
      samplingError = err;
    });
    const sent = await stream(port, state, seconds).finally(() => {
      sampling = false;
    });
    await sampler;
    if (samplingError) throw samplingError;
    samples.push(await counters(port));
    const drainSeconds = await settle(port, 30);

    const [before, after] = [samples[0], samples.at(-1)];
    const perSecond = (key) => ((after[key] - before[key]) * 1000) / (after.t - before.t);
    const r = {
      backend,
      history: history.name,
      seconds: (after.t - before.t) / 1000,
      offeredPricesPerSecond: BATCHES_PER_SECOND * SYMBOLS,
      acceptedPricesPerSecond: (sent.ok * SYMBOLS) / sent.seconds,
      refused: sent.refused,
      latencyMedianMs: median(sent.ms),
      latencyMaxMs: Math.max(...sent.ms),
      writesPerSecond: perSecond('writes'),
      updatesPerSecond: perSecond('updates'),
      updatesFirstQuarter: rateBetween(samples, 'updates', 0, 0.25),
      updatesLastQuarter: rateBetween(samples, 'updates', 0.75, 1),
      trackingFailures: after.failures - before.failures,
      rejectedWrites: after.rejected - before.rejected,
      bufferStart: before.buffer,
      bufferMax: Math.max(...samples.map((s) => s.buffer)),
      bufferEnd: after.buffer,
      bufferTrend: depthTrend(samples),
      drainSeconds,
    };
    r.bufferCapacity = after.capacity;
    r.bounded =
      r.refused === 0 &&
      r.bufferMax <= BOUNDED_SHARE * r.bufferCapacity &&
      drainSeconds !== undefined;
    r.writesRatio = r.writesPerSecond / DOCUMENT_PER_SECOND.writes;
    r.updatesRatio = r.updatesPerSecond / DOCUMENT_PER_SECOND.updates;
    return r;
  } finally {
    await server.stop();
    process.removeListener('exit', kill);
  }
}

/** Runs every history on `backend`, each in a database of its own that `fresh` provides. */
async function runBackend(backend, fresh, timing) {
  const results = [];
  for (const history of HISTORIES) {
    const storage = await fresh();
    try {
      results.push(await run(backend, storage, history, timing));
    } finally {
      await storage.dispose();
    }
  }
  return results;
}

/** Ctrl-C or SIGTERM mid-run: exit through 'exit', so the cleanups registered there run. */
function exitOnSignals() {
  const handlers = [
    ['SIGINT', () => process.exit(130)],
    ['SIGTERM', () => process.exit(143)],
  ];
  for (const [signal, handler] of handlers) process.once(signal, handler);
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

export async function bench({ quick }) {
  const restoreSignals = exitOnSignals();
  try {
    return await measureAll(quick);
  } finally {
    restoreSignals();
  }
}

async function measureAll(quick) {
  const timing = { warmSeconds: quick ? 1 : 3, seconds: quick ? 4 : 20 };
  const results = [];
  // The tests' helper: a throwaway server as the `postgres` user when run as root, removed on
  // close (and by a watchdog if this process dies first).
  const { startThrowawayPostgres, createTestDatabase } = await tsImport(
    '../test/setup/postgres.ts',
    import.meta.url,
  );
  const pg = await startThrowawayPostgres();
  try {
    const fresh = async () => {
      const db = await createTestDatabase(pg.url, 'tw_bench');
      return {
        location: { database_url: db.url, pglite_data_dir: 'memory://' },
        env: { DATABASE_URL: db.url },
        dispose: db.drop,
      };
    };
    results.push(...(await runBackend('PostgreSQL', fresh, timing)));
  } finally {
    await pg.close();
  }
  const fresh = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-bench-pglite-'));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', remove); // interrupted: the directory still goes
    return {
      location: { pglite_data_dir: dir },
      // An empty DATABASE_URL keeps a caller's own from turning this run into PostgreSQL.
      env: { DATABASE_URL: '', TRADEWATCH_STORAGE__PGLITE_DATA_DIR: dir },
      dispose: async () => {
        remove();
        process.removeListener('exit', remove);
      },
    };
  };
  results.push(...(await runBackend('PGlite', fresh, timing)));
  return report(results, timing);
}

function report(results, { warmSeconds, seconds }) {
  const ratio = (n) => `${n.toFixed(0)} ×`;
  const pass = (r, key) => r[`${key}Ratio`] >= TARGET_MULTIPLE && r.bounded;
  const rows = results.map((r) => [
    r.backend,
    r.history,
    fmt.int(r.acceptedPricesPerSecond),
    fmt.int(r.writesPerSecond),
    ratio(r.writesRatio),
    fmt.int(r.updatesPerSecond),
    ratio(r.updatesRatio),
    `${fmt.int(r.updatesFirstQuarter)} → ${fmt.int(r.updatesLastQuarter)}`,
    pass(r, 'writes') && pass(r, 'updates') ? 'PASS' : 'FAIL',
  ]);
  const buffer = results.map((r) => [
    r.backend,
    r.history,
    String(r.refused),
    `${fmt.ms(r.latencyMedianMs)} / ${fmt.ms(r.latencyMaxMs)}`,
    `${fmt.int(r.bufferStart)} / ${fmt.int(r.bufferMax)} / ${fmt.int(r.bufferEnd)}`,
    `${r.bufferTrend >= 0 ? '+' : ''}${fmt.int(r.bufferTrend)}`,
    r.drainSeconds === undefined ? 'not in 30 s' : r.drainSeconds.toFixed(1),
    String(r.trackingFailures),
    String(r.rejectedWrites),
    r.bounded ? 'yes' : 'NO',
  ]);
  const checks = results.flatMap((r) => {
    const label = `${r.backend}, history ${r.history}`;
    const buf = r.bounded ? '' : ', buffer NOT bounded';
    return [
      {
        target: `${label}: ≥ ${TARGET_MULTIPLE} × 200 writes/min (≥ 333 writes/s)`,
        measured: `${fmt.int(r.writesPerSecond)} writes/s (${ratio(r.writesRatio)}${buf})`,
        pass: pass(r, 'writes'),
      },
      {
        target: `${label}: ≥ ${TARGET_MULTIPLE} × 500 tracking updates/min (≥ 833/s)`,
        measured: `${fmt.int(r.updatesPerSecond)} updates/s (${ratio(r.updatesRatio)}${buf})`,
        pass: pass(r, 'updates'),
      },
    ];
  });
  return {
    title: 'Storage: sustained database writes and recommendation-tracking updates',
    tables: [
      {
        caption: `${SYMBOLS} open recommendations (one symbol each); after ${warmSeconds} s of warm-up, ${seconds} s of price batches on 127.0.0.1, ${BATCHES_PER_SECOND} a second of ${SYMBOLS} prices (one per symbol: ${fmt.int(BATCHES_PER_SECOND * SYMBOLS)} prices/s offered, at most ${INFLIGHT} requests in flight). writes/s is the growth of \`tradewatch_storage_writes_total\` over the window, updates/s that of \`tradewatch_recommendation_tracking_updates_total\`; × is the ratio to document 000's 200 writes and 500 tracking updates a minute (target ≥ ${TARGET_MULTIPLE} ×, with the write buffer bounded). History: prices already stored per symbol when the window starts.`,
        headers: [
          'backend',
          'history',
          'prices accepted/s',
          'writes/s',
          'writes × doc',
          'updates/s',
          'updates × doc',
          'updates/s first → last ¼',
          'result',
        ],
        rows,
      },
      {
        caption: `Over the same window: responses to the price batches (503 = refused because the write buffer was full; response times as the sender saw them) and the write buffer's depth (\`tradewatch_storage_buffer_events\`, sampled every second; the trend is its least-squares slope). Bounded: no 503, a depth that never passed ${BOUNDED_SHARE * 100} % of the capacity (\`tradewatch_storage_buffer_capacity_events\`: ${fmt.int(results[0]?.bufferCapacity ?? NaN)}), and an empty buffer within 30 s of the load stopping.`,
        headers: [
          'backend',
          'history',
          '503',
          'POST /v1/prices ms median / max',
          'depth start / max / end',
          'depth trend /s',
          'drained in s',
          'tracking failures',
          'rejected writes',
          'bounded',
        ],
        rows: buffer,
      },
    ],
    checks,
    raw: results,
  };
}

await runIfMain(import.meta, bench);
