import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = 'exporter/src/simulator/main.ts';

/** Runs the CLI from source (through tsx), without the caller's ingest token. */
function cli(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const env = { ...process.env };
  delete env.TRADEWATCH_INGEST_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function waitFor(text: () => string, pattern: RegExp, ms = 15_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(text());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${text()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('tradewatch-simulator CLI', () => {
  it('prints its usage with --help', async () => {
    const run = cli(['--help']);
    expect(await exitCode(run.child)).toBe(0);
    expect(run.stdout()).toContain('--control-port');
    expect(run.stdout()).toContain('no_volume_spike');
    expect(run.stdout()).toContain('--backfill-days');
  });

  it('refuses an unknown fault and a missing token with exit code 2', async () => {
    const bad = cli(['--token', 'x'.repeat(20), '--fault', 'meteor_strike']);
    expect(await exitCode(bad.child)).toBe(2);
    expect(bad.stderr()).toContain('unknown fault "meteor_strike"');
    const negative = cli(['--token', 'x'.repeat(20), '--backfill-days=-1']);
    expect(await exitCode(negative.child)).toBe(2);
    expect(negative.stderr()).toContain('--backfill-days must be an integer >= 0, got "-1"');
    const tokenless = cli([]);
    expect(await exitCode(tokenless.child)).toBe(2);
    expect(tokenless.stderr()).toContain('no ingest token');
  });

  it('runs, takes faults over its control port, and stops cleanly on SIGTERM', async () => {
    const run = cli([
      '--token',
      'x'.repeat(20),
      '--url',
      'http://127.0.0.1:9', // nothing listens: sends fail, quietly
      '--control-port',
      '0',
      '--seed',
      '5',
      '--tick-ms',
      '50',
      '--fault',
      'stale_artifact',
    ]);
    try {
      const [, url] = await waitFor(
        run.stderr,
        /fault control at (http:\/\/127\.0\.0\.1:\d+)\/faults/,
      );
      expect(run.stderr()).toContain('seed 5');
      expect(run.stderr()).toContain('faults on: stale_artifact');
      const listed = (await (await fetch(`${url}/faults`)).json()) as {
        faults: { name: string; active: boolean }[];
      };
      expect(listed.faults.find((f) => f.name === 'stale_artifact')?.active).toBe(true);
      expect((await fetch(`${url}/faults/drawdown_crash`, { method: 'PUT' })).status).toBe(200);
      await waitFor(run.stderr, /fault drawdown_crash switched on/);
      await waitFor(run.stderr, /cannot send tick/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(run.stderr().match(/cannot send tick/g)).toHaveLength(1);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await exitCode(run.child)).toBe(0);
    expect(run.stderr()).toContain('stopped (SIGTERM)');
  });
});
