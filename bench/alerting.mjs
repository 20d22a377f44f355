// Fault-to-notification latency (issue 9): the end-to-end tests' stack (test/e2e/stack.ts: the
// built exporter, the simulator, a real Prometheus evaluating the generated rules, a real
// Alertmanager with the committed routing, receivers captured on loopback), the simulator's
// circuit_breaker fault switched on again and again, each time timed to the chat notification.
//
// The floor is what the configuration alone can add: a sample waits up to one scrape interval to
// be scraped, up to one evaluation interval to be evaluated, then `for`, then `group_wait`.
// "Fault" is the moment the exporter accepted the first snapshot with the breaker active (the
// simulated engine itself needs a few ticks of losses to trip; that is reported apart).
// Each run uses an engine of its own and the routing groups by engine too, so every run starts a
// new Alertmanager group and pays group_wait (a group Alertmanager still holds, for up to 30 s
// after it resolved, would be notified at its next group_interval instead).
// `node bench/alerting.mjs [--quick]` (needs `npm run build`, prometheus, prometheus-alertmanager)
import { tsImport } from 'tsx/esm/api';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, runIfMain } from './lib.mjs';

const ALERT = 'TradewatchCircuitBreakerActive';
const TIMING = { scrape: 1, evaluation: 1, groupWait: 2, groupInterval: 2, resendDelay: 5 };
const FOR_SECONDS = 2;
const FLOOR_S = TIMING.scrape + TIMING.evaluation + FOR_SECONDS + TIMING.groupWait;
const MARGIN_S = 2;

const s = (ms) => (ms / 1000).toFixed(2);

export async function bench({ quick }) {
  const { startStack } = await tsImport('../test/e2e/stack.ts', import.meta.url);
  const runs = quick ? 3 : 12;
  const stack = await startStack({
    timing: TIMING,
    ruleFor: { [ALERT]: `${FOR_SECONDS}s` },
    groupBy: ['alertname', 'component', 'engine'],
  });
  const rows = [];
  const samples = [];
  try {
    for (let i = 0; i < runs; i++) {
      const engine = `bench-${i}`;
      let armedAt = Infinity;
      let visibleAt;
      const sim = await stack.simulator({
        engine,
        ticksOnly: true,
        onTick: (tick, at) => {
          if (visibleAt === undefined && at >= armedAt && tick.risk?.circuit_breaker_active) {
            visibleAt = at;
          }
        },
      });
      await stack.waitFor(`engine ${engine} scraped`, async () => {
        const data = await stack.prometheus.api('/api/v1/query', {
          query: `tradewatch_engine_circuit_breaker_active{engine="${engine}"}`,
        });
        return data.result.length > 0 ? true : undefined;
      });
      // A random phase against the scrape and evaluation cycles.
      await sleep(Math.random() * 1000);
      armedAt = Date.now();
      const on = await sim.fault('circuit_breaker', true);
      const note = await stack.capture.waitFor(
        `${ALERT} for ${engine}`,
        'chat',
        (n) => n.status === 'firing' && n.alertnames.includes(ALERT) && n.text.includes(engine),
        { since: on, timeoutMs: 60_000 },
      );
      await sim.fault('circuit_breaker', false);
      if (visibleAt === undefined) throw new Error(`no breaker snapshot seen for ${engine}`);
      const sample = {
        trip: visibleAt - on,
        pipeline: note.at - visibleAt,
        total: note.at - on,
      };
      samples.push(sample);
      rows.push([String(i + 1), s(sample.trip), s(sample.pipeline), s(sample.total)]);
    }
  } finally {
    await stack.stop();
  }
  const med = (key) => median(samples.map((x) => x[key]));
  const max = (key) => Math.max(...samples.map((x) => x[key]));
  rows.push(['median', s(med('trip')), s(med('pipeline')), s(med('total'))]);
  rows.push(['max', s(max('trip')), s(max('pipeline')), s(max('total'))]);
  const pipelineMedian = med('pipeline') / 1000;
  return {
    title: 'Alerting: fault to notification',
    tables: [
      {
        caption:
          `${runs} runs of the simulator's circuit_breaker fault to the chat receiver: scrape ` +
          `${TIMING.scrape} s, evaluation ${TIMING.evaluation} s, for ${FOR_SECONDS} s, ` +
          `group_wait ${TIMING.groupWait} s; floor ${FLOOR_S} s (the least possible: ` +
          `${FOR_SECONDS + TIMING.groupWait} s). Seconds.`,
        headers: [
          'run',
          'switch → breaker snapshot (the engine trips)',
          'snapshot → notification',
          'switch → notification',
        ],
        rows,
      },
    ],
    checks: [
      {
        target: `median snapshot → notification ≤ floor ${FLOOR_S} s + ${MARGIN_S} s`,
        measured: `${pipelineMedian.toFixed(2)} s (${(pipelineMedian - FLOOR_S).toFixed(2)} s from the floor)`,
        pass: pipelineMedian <= FLOOR_S + MARGIN_S,
      },
    ],
    raw: { timing: { ...TIMING, for: FOR_SECONDS }, floorSeconds: FLOOR_S, samples },
  };
}

await runIfMain(import.meta, bench);
