// Scrape cost: time of GET /metrics and the longest event-loop stall in the serving process,
// at 1k, 10k and 100k series, our MetricRegistry against a plain prom-client registry holding
// the same series, plus the transport floor (the same bytes, pre-rendered). All targets run at
// once, each in its own process; scrapes alternate between them.
// `node bench/scrape.mjs [--quick]`
import { Agent } from 'node:http';
import { ask, benchPath, fmt, httpRequest, median, runIfMain, startServer } from './lib.mjs';

const SIZES = [1_000, 10_000, 100_000];
const IMPLS = ['tradewatch', 'prom-client', 'floor'];
const TIME_RATIO_TARGET = 0.5;
const STALL_TARGET_MS = 20;
const ACCEPT = 'text/plain;version=0.0.4'; // the classic text format from every target
const OVERFLOW = 'tradewatch_cardinality_overflow_total';

/** Warm-up matters: at 1k series a cold scrape costs several times a warm one (JIT). */
const scrapesFor = (series, quick) => {
  if (quick) return { warmup: series >= 100_000 ? 1 : 20, measured: series >= 100_000 ? 2 : 5 };
  if (series >= 100_000) return { warmup: 4, measured: 12 };
  if (series >= 10_000) return { warmup: 40, measured: 40 };
  return { warmup: 300, measured: 100 };
};

/** Samples of the planned series (our registry also exposes its overflow counter, one per family). */
const sampleLines = (body) =>
  body.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(OVERFLOW)).length;

async function get(target) {
  const res = await httpRequest(target.port, '/metrics', {
    headers: { accept: ACCEPT },
    agent: target.agent,
  });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res;
}

/** One measured scrape: the delay monitor is reset just before and read right after. */
async function scrape(target) {
  await ask(target.child, 'reset');
  const res = await get(target);
  const { maxStallMs, serverMs } = await ask(target.child, 'read');
  return { ms: res.ms, serverMs, maxStallMs };
}

async function measureSize(series, quick) {
  const targets = {};
  try {
    for (const impl of IMPLS) {
      const running = await startServer(benchPath('servers/scrape-target.mjs'), {
        args: [impl, String(series)],
        ipc: true,
        readyPath: '/metrics',
        readyStatus: 200,
      });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      targets[impl] = { ...running, agent, ms: [], serverMs: [], stalls: [] };
    }
    const { warmup, measured } = scrapesFor(series, quick);
    for (const impl of IMPLS) {
      const t = targets[impl];
      const { body } = await get(t);
      t.bytes = Buffer.byteLength(body);
      const samples = sampleLines(body);
      if (samples !== series) throw new Error(`${impl} exposes ${samples} samples, not ${series}`);
    }
    for (let i = 0; i < warmup; i++) for (const impl of IMPLS) await get(targets[impl]);
    for (const impl of IMPLS) {
      const { renderMs } = await ask(targets[impl].child, { render: Math.min(measured, 20) });
      targets[impl].renderMs = renderMs;
    }
    for (let i = 0; i < measured; i++) {
      for (const impl of IMPLS) {
        const t = targets[impl];
        const result = await scrape(t);
        t.ms.push(result.ms);
        t.serverMs.push(result.serverMs);
        t.stalls.push(result.maxStallMs);
      }
    }
  } finally {
    for (const t of Object.values(targets)) {
      t.agent.destroy();
      await t.stop();
    }
  }
  const summary = (t) => ({
    ms: median(t.ms),
    serverMs: median(t.serverMs),
    maxStall: Math.max(...t.stalls),
    medianStall: median(t.stalls),
    renderMs: t.renderMs,
    bytes: t.bytes,
    scrapes: t.ms.length,
  });
  return Object.fromEntries(IMPLS.map((impl) => [impl, summary(targets[impl])]));
}

export async function bench({ quick }) {
  const timeRows = [];
  const stallRows = [];
  const checks = [];
  const raw = [];
  for (const series of SIZES) {
    const m = await measureSize(series, quick);
    const { tradewatch: ours, 'prom-client': theirs, floor } = m;
    const ratio = ours.ms / theirs.ms;
    raw.push({ series, ...m });
    timeRows.push([
      fmt.int(series),
      (ours.bytes / 2 ** 20).toFixed(2),
      fmt.ms(ours.ms),
      fmt.ms(theirs.ms),
      fmt.ratio(ratio),
      fmt.ms(floor.ms),
      `${fmt.ms(ours.serverMs)} / ${fmt.ms(theirs.serverMs)}`,
      `${fmt.ms(ours.renderMs)} / ${fmt.ms(theirs.renderMs)}`,
      fmt.ratio(ours.renderMs / theirs.renderMs),
      String(ours.scrapes),
    ]);
    stallRows.push([
      fmt.int(series),
      fmt.ms(ours.maxStall),
      fmt.ms(ours.medianStall),
      fmt.ms(theirs.maxStall),
      fmt.ms(theirs.medianStall),
      fmt.ms(floor.maxStall),
    ]);
    checks.push(
      {
        target: `${fmt.int(series)} series: scrape time ≤ ${TIME_RATIO_TARGET} × prom-client`,
        measured: `${fmt.ratio(ratio)} × (${fmt.ms(ours.ms)} ms vs ${fmt.ms(theirs.ms)} ms)`,
        pass: ratio <= TIME_RATIO_TARGET,
      },
      {
        target: `${fmt.int(series)} series: no event-loop stall over ${STALL_TARGET_MS} ms`,
        measured: `longest ${fmt.ms(ours.maxStall)} ms (prom-client ${fmt.ms(theirs.maxStall)} ms)`,
        pass: ours.maxStall <= STALL_TARGET_MS,
      },
    );
  }
  return {
    title: 'Scrape: GET /metrics time and event-loop stall',
    tables: [
      {
        caption:
          'Scrape time: median, client side, request to last byte; "time ratio" is the target. Diagnostics: "floor" serves the same bytes pre-rendered (HTTP on loopback alone); server side is request event to response finish; render only is the registry rendering the whole exposition to one flat string in the serving process, without HTTP (median of up to 20).',
        headers: [
          'series',
          'body MiB',
          'tradewatch ms',
          'prom-client ms',
          'time ratio',
          'floor ms',
          'server side ms (ours / prom-client)',
          'render only ms (ours / prom-client)',
          'render ratio',
          'scrapes each',
        ],
        rows: timeRows,
      },
      {
        caption:
          'Event-loop stall in the serving process: the longest delay seen by monitorEventLoopDelay (1 ms resolution) during a scrape; max over all measured scrapes, and the median scrape. About 1 ms means no stall.',
        headers: [
          'series',
          'tradewatch max ms',
          'tradewatch median ms',
          'prom-client max ms',
          'prom-client median ms',
          'floor max ms',
        ],
        rows: stallRows,
      },
    ],
    checks,
    raw,
  };
}

await runIfMain(import.meta, bench);
