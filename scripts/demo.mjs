// The whole bundle on one machine: the built exporter plus the simulator feeding it.
//
//   npm run demo                       (builds first)
//   node scripts/demo.mjs [simulator options, e.g. --seed 7 --fault no_volume_spike]
//
// A fresh random ingest token is shared by both children. The exporter listens on
// $TRADEWATCH_PORT (default 9473) and $TRADEWATCH_HOST (default 127.0.0.1), logging at warn
// level so the URLs printed here stay readable. Ctrl-C or SIGTERM stops both and exits 0;
// if either child dies on its own, the other is stopped and the demo exits non-zero.
import { randomBytes } from 'node:crypto';
import {
  EXPORTER,
  SIMULATOR,
  createSupervisor,
  ensureBuilt,
  optionValue,
} from './lib/supervisor.mjs';

const STARTUP_TIMEOUT_MS = 20_000;

ensureBuilt('demo');

const simulatorArgs = process.argv.slice(2);
const token = randomBytes(24).toString('hex');
const port = process.env.TRADEWATCH_PORT ?? '9473';
const host = process.env.TRADEWATCH_HOST ?? '127.0.0.1';
const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const exporterUrl = `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`;
const controlPort = optionValue(simulatorArgs, '--control-port') ?? '9474';
const controlUrl = `http://127.0.0.1:${controlPort}`;

const group = createSupervisor('demo');
group.stopOnSignals((signal) => `\ndemo: ${signal} received, stopping the exporter and simulator`);
const env = (extra) => ({ ...process.env, ...extra, TRADEWATCH_INGEST_TOKEN: token });
const start = (name, file, args, extra) =>
  group.start(name, process.execPath, [file, ...args], { env: env(extra) });
const waitFor = (url, what) => group.waitFor(url, what, STARTUP_TIMEOUT_MS);

start('exporter', EXPORTER, [], {
  TRADEWATCH_PORT: port,
  TRADEWATCH_HOST: host,
  TRADEWATCH_LOG_LEVEL: 'warn',
});
if (!(await waitFor(`${exporterUrl}/readyz`, 'exporter'))) await new Promise(() => {});

start('simulator', SIMULATOR, [...simulatorArgs, '--url', exporterUrl], {});
if (!(await waitFor(`${controlUrl}/faults`, 'simulator'))) await new Promise(() => {});

const faults = (await (await fetch(`${controlUrl}/faults`)).json()).faults.map((f) => f.name);
console.log(`
tradewatch demo: exporter and simulator are running (Ctrl-C stops both)

  metrics           ${exporterUrl}/metrics
  liveness          ${exporterUrl}/healthz
  readiness         ${exporterUrl}/readyz
  pipeline status   ${exporterUrl}/monitoring/discovery/pipeline
  simulator faults  ${controlUrl}/faults

The learning loop (recommendations, ranked lists, prices and holdings from the simulator):

  missed opportunities  ${exporterUrl}/learning/missed-opportunities
  ranking quality       ${exporterUrl}/v1/rankings/quality
  buy-the-dip           ${exporterUrl}/dip-detection/portfolio-analysis
  one recommendation    ${exporterUrl}/v1/recommendations/{tracking_id}

  ingest token      ${token}

Switch a fault on, watch the metrics change, switch it off again:

  curl -s -X PUT ${controlUrl}/faults/circuit_breaker
  curl -s ${exporterUrl}/metrics | grep tradewatch_engine_circuit_breaker_active
  curl -s -X DELETE ${controlUrl}/faults/circuit_breaker

  faults: ${faults.join(', ')}

Send your own data with the token:

  curl -s -X POST -H "Authorization: Bearer ${token}" -H 'content-type: application/json' \\
    -d '{"expected_interval_seconds": 60}' ${exporterUrl}/v1/sources/my_feed/heartbeat
`);
