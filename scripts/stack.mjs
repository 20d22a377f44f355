// The whole stack without Docker: the exporter (embedded store), the simulator, the machine's
// Prometheus and Alertmanager (Debian packages `prometheus` and `prometheus-alertmanager`),
// all on 127.0.0.1, with temporary data directories.
//
//   npm run stack
//   node scripts/stack.mjs [--free-ports] [--scrape-interval 5s] [--evaluation-interval 5s]
//                          [--exporter-port 9473] [--control-port 9474]
//                          [--prometheus-port 9090] [--alertmanager-port 9093]
//                          [simulator options, e.g. --seed 7 --fault drift]
//
// What differs from docker-compose.yml (README, "The whole stack"):
// - Prometheus loads alert-rules/recording.yml and alerts.yml with their expressions and `for`
//   unchanged, but evaluates every group at --evaluation-interval (the committed groups say
//   1m), so that an alert follows a fault within seconds.
// - Alertmanager runs a loopback variant of alert-rules/alertmanager.yml: the same routing tree,
//   timings and inhibition (derived from the same file, so from mixin/config.ts), but every
//   receiver is the exporter's POST /alerts/webhook, authenticated with the ingest token; the
//   alert history shows which receiver the routing chose. No secret files, no outside service.
// - The embedded store (PGlite), the alert log and all data live in a temporary directory,
//   removed at the end.
// Ctrl-C or SIGTERM stops every child and removes the directory; if one child dies on its own,
// the others are stopped too and the script exits non-zero.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  EXPORTER,
  REPO_ROOT,
  SIMULATOR,
  createSupervisor,
  ensureBuilt,
  freePort,
} from './lib/supervisor.mjs';

const LABEL = 'stack';
const STARTUP_TIMEOUT_MS = 60_000;
const DURATION = /^\d+(ms|s|m|h)$/;

/** Separates the stack's own options from the simulator's. */
function parseOptions(argv) {
  const own = {
    'free-ports': false,
    'scrape-interval': '5s',
    'evaluation-interval': '5s',
    'exporter-port': process.env.TRADEWATCH_PORT ?? '9473',
    'control-port': '9474',
    'prometheus-port': '9090',
    'alertmanager-port': '9093',
  };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s) : [];
    if (name === 'help') {
      console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\nimport ')[0]);
      process.exit(0);
    }
    if (!name || !(name in own)) {
      rest.push(arg);
      continue;
    }
    if (typeof own[name] === 'boolean') own[name] = true;
    else own[name] = inline ?? argv[++i];
    if (own[name] === undefined) fail(`--${name} needs a value`);
  }
  for (const name of ['scrape-interval', 'evaluation-interval']) {
    if (!DURATION.test(own[name]))
      fail(`--${name} must be a duration such as 5s, got ${own[name]}`);
  }
  return { own, simulatorArgs: rest };
}

function fail(message) {
  console.error(`${LABEL}: ${message}`);
  process.exit(2);
}

const { own, simulatorArgs } = parseOptions(process.argv.slice(2));
ensureBuilt(LABEL, { build: true });

const port = async (name) => (own['free-ports'] ? await freePort() : Number(own[name]));
const ports = {
  exporter: await port('exporter-port'),
  control: await port('control-port'),
  prometheus: await port('prometheus-port'),
  alertmanager: await port('alertmanager-port'),
};
const url = (p) => `http://127.0.0.1:${p}`;
const exporterUrl = url(ports.exporter);
const controlUrl = url(ports.control);
const prometheusUrl = url(ports.prometheus);
const alertmanagerUrl = url(ports.alertmanager);
const token = randomBytes(24).toString('hex');

const group = createSupervisor(LABEL);
group.stopOnSignals((signal) => `\n${LABEL}: ${signal} received, stopping every process`);

const dir = mkdtempSync(join(tmpdir(), 'tradewatch-stack-'));
group.onStop(() => rmSync(dir, { recursive: true, force: true }));
const path = (...parts) => {
  const p = join(dir, ...parts);
  mkdirSync(join(p, '..'), { recursive: true });
  return p;
};

/** Prometheus' configuration and the rule files, evaluated at the stack's interval. */
function writePrometheusConfig() {
  const ruleFiles = ['recording.yml', 'alerts.yml'].map((name) => {
    const rules = parse(readFileSync(join(REPO_ROOT, 'alert-rules', name), 'utf8'));
    for (const g of rules.groups) g.interval = own['evaluation-interval'];
    const file = path('prometheus', 'rules', name);
    writeFileSync(file, stringify(rules, { lineWidth: 0 }));
    return file;
  });
  const config = {
    global: {
      scrape_interval: own['scrape-interval'],
      evaluation_interval: own['evaluation-interval'],
    },
    rule_files: ruleFiles,
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${ports.alertmanager}`] }] }],
    },
    scrape_configs: [
      // The job name every generated rule and dashboard selects (mixin/config.ts).
      { job_name: 'tradewatch', static_configs: [{ targets: [`127.0.0.1:${ports.exporter}`] }] },
    ],
  };
  const file = path('prometheus', 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * alert-rules/alertmanager.yml with every receiver replaced by the exporter's history webhook
 * (same names, so the route tree and inhibition stay as generated).
 */
function writeAlertmanagerConfig() {
  const config = parse(readFileSync(join(REPO_ROOT, 'alert-rules', 'alertmanager.yml'), 'utf8'));
  const tokenFile = path('alertmanager', 'secrets', 'tradewatch-webhook-token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  config.receivers = config.receivers.map(({ name }) => ({
    name,
    webhook_configs: [
      {
        url: `${exporterUrl}/alerts/webhook`,
        send_resolved: true,
        http_config: { authorization: { credentials_file: tokenFile } },
      },
    ],
  }));
  const file = path('alertmanager', 'alertmanager.yml');
  writeFileSync(file, stringify(config, { lineWidth: 0 }));
  return file;
}

const node = (name, file, args, env) =>
  group.start(name, process.execPath, [file, ...args], {
    env: { ...process.env, ...env, TRADEWATCH_INGEST_TOKEN: token },
  });
const ready = async (target, what) => {
  if (!(await group.waitFor(target, what, STARTUP_TIMEOUT_MS))) await new Promise(() => {});
};

node('exporter', EXPORTER, [], {
  TRADEWATCH_HOST: '127.0.0.1',
  TRADEWATCH_PORT: String(ports.exporter),
  TRADEWATCH_LOG_LEVEL: 'warn',
  TRADEWATCH_STORAGE__PGLITE_DATA_DIR: path('exporter', 'data'),
  TRADEWATCH_ALERTS__LOG_DIR: path('exporter', 'alerts'),
  TRADEWATCH_ALERTS__ALERTMANAGER_URL: alertmanagerUrl,
});
group.start('alertmanager', 'prometheus-alertmanager', [
  `--config.file=${writeAlertmanagerConfig()}`,
  `--storage.path=${path('alertmanager', 'data')}`,
  `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
  '--cluster.listen-address=', // one instance: no gossip port
  '--log.level=warn',
]);
await ready(`${alertmanagerUrl}/-/ready`, 'Alertmanager');
group.start('prometheus', 'prometheus', [
  `--config.file=${writePrometheusConfig()}`,
  `--storage.tsdb.path=${path('prometheus', 'data')}`,
  `--web.listen-address=127.0.0.1:${ports.prometheus}`,
  '--enable-feature=exemplar-storage',
  // An alert evaluated before the notifier has discovered Alertmanager is dropped; firing alerts
  // are sent again after this delay (1m by default), so keep it at the evaluation interval.
  `--rules.alert.resend-delay=${own['evaluation-interval']}`,
  '--log.level=warn',
]);
// The simulator's own --control-port wins when given (it is passed on untouched).
const controlArg = simulatorArgs.findLastIndex((a) => a.startsWith('--control-port'));
const control =
  controlArg < 0
    ? controlUrl
    : url(simulatorArgs[controlArg].split('=')[1] ?? simulatorArgs[controlArg + 1]);
if (controlArg < 0) simulatorArgs.push('--control-port', String(ports.control));
await ready(`${exporterUrl}/readyz`, 'exporter');
node('simulator', SIMULATOR, [...simulatorArgs, '--url', exporterUrl], {});
await ready(`${control}/faults`, 'simulator');
await ready(`${prometheusUrl}/-/ready`, 'Prometheus');

console.log(`
tradewatch stack: exporter, simulator, Prometheus and Alertmanager are running on loopback
(Ctrl-C stops them all and removes ${dir})

  exporter        ${exporterUrl}/metrics
  prometheus      ${prometheusUrl}
  alertmanager    ${alertmanagerUrl}
  alert history   ${exporterUrl}/alerts/history
  simulator       ${control}/faults
  ingest token    ${token}
  data            ${dir}

  Prometheus scrapes job="tradewatch" every ${own['scrape-interval']} and evaluates the rules of
  alert-rules/ every ${own['evaluation-interval']}; every Alertmanager receiver posts to the alert history.

Switch a fault on, watch the alert arrive, switch it off again:

  curl -s -X PUT ${control}/faults/circuit_breaker
  curl -s ${prometheusUrl}/api/v1/alerts
  curl -s '${exporterUrl}/alerts/history?since=10m'
  curl -s -X DELETE ${control}/faults/circuit_breaker
`);
