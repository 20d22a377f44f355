#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { TradewatchClient } from '../client/index.js';
import { DEFAULT_BACKFILL } from './backfill.js';
import { DEFAULT_CONTROL_PORT, startControlServer } from './control.js';
import { FAULT_NAMES, FaultSwitch, isFaultName, type FaultName } from './faults.js';
import { Simulator } from './run.js';

const USAGE = `Usage: tradewatch-simulator [options]

A synthetic trading system that sends pipeline runs, engine ticks (with its holdings),
recommendations, ranked lists, prices, model predictions and data-source heartbeats to a
tradewatch exporter over
its ingest API.

Options:
  --url URL            exporter base URL (default http://127.0.0.1:9473)
  --token TOKEN        ingest token (default $TRADEWATCH_INGEST_TOKEN)
  --seed N             random seed (default: random, printed at start)
  --control-port PORT  fault control API on 127.0.0.1 (default ${DEFAULT_CONTROL_PORT}; 0 = any)
  --tick-ms MS         engine tick interval (default 1000)
  --run-ms MS          discovery run interval (default 15000)
  --price-ms MS        price update interval of the recommended symbols (default 5000)
  --backfill-days N    days of history sent at start: recommendations, ranked lists and
                       hourly prices, so 1-day horizons have matured (default ${DEFAULT_BACKFILL.days}; 0 = none)
  --fault NAME         start with a fault on (repeatable): ${FAULT_NAMES.join(', ')}
  --help               show this help
`;

class UsageError extends Error {}

function integer(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${text}"`);
  }
  return value;
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:9473' },
      token: { type: 'string' },
      seed: { type: 'string' },
      'control-port': { type: 'string' },
      'tick-ms': { type: 'string' },
      'run-ms': { type: 'string' },
      'price-ms': { type: 'string' },
      'backfill-days': { type: 'string' },
      fault: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const faults: FaultName[] = [];
  for (const name of values.fault) {
    if (!isFaultName(name)) {
      throw new UsageError(`unknown fault "${name}"; known: ${FAULT_NAMES.join(', ')}`);
    }
    faults.push(name);
  }
  const token = values.token ?? process.env.TRADEWATCH_INGEST_TOKEN ?? '';
  if (!values.help && token === '') {
    throw new UsageError('no ingest token: pass --token or set TRADEWATCH_INGEST_TOKEN');
  }
  return {
    help: values.help,
    url: values.url,
    token,
    seed: integer('seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0),
    controlPort: integer('control-port', values['control-port'], DEFAULT_CONTROL_PORT, 0),
    tickMs: integer('tick-ms', values['tick-ms'], 1000, 10),
    runMs: integer('run-ms', values['run-ms'], 15000, 10),
    priceMs: integer('price-ms', values['price-ms'], 5000, 10),
    backfillDays: integer('backfill-days', values['backfill-days'], DEFAULT_BACKFILL.days, 0),
    faults,
  };
}

const log = (message: string): void => {
  process.stderr.write(`${new Date().toISOString()} tradewatch-simulator: ${message}\n`);
};

async function main(): Promise<void> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`tradewatch-simulator: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const faults = new FaultSwitch(args.faults);
  faults.onChange((name, active) => log(`fault ${name} switched ${active ? 'on' : 'off'}`));
  let control;
  try {
    control = await startControlServer(faults, { port: args.controlPort });
  } catch (err) {
    log(`cannot open the control port ${args.controlPort}: ${(err as Error).message}`);
    process.exit(1);
  }
  const client = new TradewatchClient({ baseUrl: args.url, token: args.token });
  const simulator = new Simulator({
    client,
    models: client,
    seed: args.seed,
    faults,
    tickIntervalMs: args.tickMs,
    runIntervalMs: args.runMs,
    priceIntervalMs: args.priceMs,
    backfillDays: args.backfillDays,
    log,
  });
  simulator.start();
  const on = args.faults.length > 0 ? `; faults on: ${args.faults.join(', ')}` : '';
  log(`seed ${args.seed}, sending to ${args.url}, fault control at ${control.url}/faults${on}`);

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      void Promise.all([simulator.stop(), control.close()]).then(() => {
        log(`stopped (${signal}); sent ${JSON.stringify(simulator.sent)}`);
        process.exit(0);
      });
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `tradewatch-simulator: failed to start: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(1);
});
