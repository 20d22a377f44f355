#!/usr/bin/env node
/**
 * `tradewatch`: the operator's command line (document 001's monitor tool). docs/alerting.md.
 *
 *   tradewatch alerts tail [--dir DIR] [--lines N] [--once]
 *   tradewatch alerts status [--alertmanager URL]
 *   tradewatch health [--url URL] [--prometheus URL] [--job JOB]
 *   tradewatch metrics <family|prefix*>... [--url URL]
 *
 * Tables on a terminal, JSON with --json. Exit codes: 0 fine, 1 unhealthy or failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { alertsStatus, health, metrics, type Output } from './commands.js';
import { tailAlerts } from './tail.js';

const USAGE = `usage:
  tradewatch alerts tail [--dir DIR] [--lines N] [--once]   follow the JSONL alert log
  tradewatch alerts status [--alertmanager URL]             alerts Alertmanager holds
  tradewatch health [--url URL] [--prometheus URL] [--job JOB]
                                                            run the health checks (exit 1 when unhealthy)
  tradewatch metrics <family|prefix*>... [--url URL]        current values of metric families
options:
  --json                 JSON instead of tables
  --url URL              the exporter (TRADEWATCH_URL, default http://127.0.0.1:9473)
  --alertmanager URL     Alertmanager (TRADEWATCH_ALERTS__ALERTMANAGER_URL)
  --prometheus URL       Prometheus, for the target-up check (TRADEWATCH_PROMETHEUS_URL)
  --job JOB              the exporter's job in Prometheus (default tradewatch)
  --dir DIR              the alert log directory (TRADEWATCH_ALERTS__LOG_DIR, default logs/alerts)`;

class UsageError extends Error {}

async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      url: { type: 'string', default: env.TRADEWATCH_URL ?? 'http://127.0.0.1:9473' },
      alertmanager: { type: 'string', default: env.TRADEWATCH_ALERTS__ALERTMANAGER_URL },
      prometheus: { type: 'string', default: env.TRADEWATCH_PROMETHEUS_URL },
      job: { type: 'string', default: 'tradewatch' },
      dir: { type: 'string', default: env.TRADEWATCH_ALERTS__LOG_DIR ?? 'logs/alerts' },
      lines: { type: 'string', default: '10' },
      once: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const o: Output = { json: values.json, out };
  const [command, sub, ...rest] = positionals;
  if (values.help || command === undefined) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'alerts tail': {
      const lines = Number(values.lines);
      if (!Number.isInteger(lines) || lines < 0)
        throw new UsageError('--lines must be a whole number');
      await tailAlerts({
        dir: values.dir,
        lines,
        follow: !values.once,
        json: values.json,
        write: out,
      });
      return 0;
    }
    case 'alerts status':
      if (!values.alertmanager) throw new UsageError('alerts status needs --alertmanager URL');
      return alertsStatus(values.alertmanager, o);
    case 'health':
      return health(
        values.url,
        values.prometheus ? { url: values.prometheus, job: values.job } : undefined,
        o,
      );
    default:
      if (command === 'metrics') {
        const families = [sub, ...rest].filter((f): f is string => f !== undefined);
        if (families.length === 0) throw new UsageError('metrics needs at least one family name');
        return metrics(values.url, families, o);
      }
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

async function main(): Promise<void> {
  const out = (text: string) => void process.stdout.write(`${text}\n`);
  try {
    process.exitCode = await run(process.argv.slice(2), process.env, out);
  } catch (err) {
    const usage =
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`tradewatch: ${(err as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  }
}

void main();
