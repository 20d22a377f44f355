// Runs every benchmark against the built exporter and prints a summary of the targets.
// `npm run bench` (builds first), or `node bench/run.mjs [--quick] [--json results.json]`.
// Targets are reported, never asserted: the exit code is 0 unless a benchmark itself fails.
import { writeFileSync } from 'node:fs';
import { bench as alerting } from './alerting.mjs';
import { bench as drift } from './drift.mjs';
import { bench as ingest } from './ingest.mjs';
import { markdownTable, printMachine, printResult, QUICK } from './lib.mjs';
import { bench as scrape } from './scrape.mjs';
import { bench as sdk } from './sdk.mjs';
import { bench as storage } from './storage.mjs';
import { bench as tracing } from './tracing.mjs';

const BENCHMARKS = [
  ['sdk', sdk],
  ['ingest', ingest],
  ['scrape', scrape],
  ['storage', storage],
  ['drift', drift],
  ['tracing', tracing],
  ['alerting', alerting],
];

const started = performance.now();
const machine = await printMachine();
const results = {};
for (const [name, bench] of BENCHMARKS) {
  const t0 = performance.now();
  results[name] = await bench({ quick: QUICK });
  results[name].seconds = (performance.now() - t0) / 1000;
  printResult(results[name]);
}

console.log('\n## Summary\n');
console.log(
  markdownTable(
    ['benchmark', 'target', 'measured', 'result'],
    BENCHMARKS.flatMap(([name]) =>
      results[name].checks.map((c) => [name, c.target, c.measured, c.pass ? 'PASS' : 'FAIL']),
    ),
  ),
);
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${BENCHMARKS.map(([name]) => `${name} ${results[name].seconds.toFixed(0)} s`).join(', ')}; total ${seconds.toFixed(0)} s`,
);

const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0 && process.argv[jsonAt + 1]) {
  writeFileSync(
    process.argv[jsonAt + 1],
    `${JSON.stringify({ machine, quick: QUICK, results }, null, 2)}\n`,
  );
}
