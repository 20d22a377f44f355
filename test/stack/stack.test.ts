/**
 * `npm run stack` (scripts/stack.mjs) as a user runs it: started as a child process, it prints
 * its URLs; Prometheus scrapes the exporter and has the repository's rules loaded, Alertmanager
 * is ready and the always-firing watchdog reaches the exporter's alert history through the
 * webhook; SIGINT (Ctrl-C) stops every process it started, frees every port and removes its
 * temporary directory.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/process.js';

const STACK = join(REPO_ROOT, 'scripts', 'stack.mjs');

interface Printed {
  exporter: string;
  prometheus: string;
  alertmanager: string;
  simulator: string;
  data: string;
}

let child: ChildProcessWithoutNullStreams | undefined;
let output = '';

afterAll(() => {
  // Only if a test failed half-way: the script stops its children on SIGTERM.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

/** The processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} within ${ms / 1000} s (last error: ${String(last)})\n${output}`);
}

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

describe('npm run stack', () => {
  let printed: Printed;

  it('starts the loop on loopback and prints its URLs', async () => {
    child = spawn(
      process.execPath,
      [STACK, '--free-ports', '--scrape-interval', '1s', '--evaluation-interval', '1s'],
      { cwd: REPO_ROOT },
    );
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    printed = await until(
      'the stack printed its URLs',
      async () => {
        if (child!.exitCode !== null) throw new Error(`stack exited ${child!.exitCode}`);
        const line = (name: string) =>
          new RegExp(`^  ${name} +(\\S+)$`, 'm').exec(output)?.[1] ?? '';
        const found = {
          exporter: line('exporter').replace(/\/metrics$/, ''),
          prometheus: line('prometheus'),
          alertmanager: line('alertmanager'),
          simulator: line('simulator').replace(/\/faults$/, ''),
          data: line('data'),
        };
        return Object.values(found).every(Boolean) ? found : undefined;
      },
      60_000,
    );
    for (const url of [printed.exporter, printed.prometheus, printed.alertmanager]) {
      expect(new URL(url).hostname).toBe('127.0.0.1');
    }
    expect(existsSync(printed.data)).toBe(true);
  }, 70_000);

  it('has Prometheus scrape the exporter as job "tradewatch" with the repository rules', async () => {
    const target = await until(
      'the tradewatch target is up',
      async () => {
        const r = await json<{
          data: { activeTargets: { labels: { job: string }; health: string; scrapeUrl: string }[] };
        }>(`${printed.prometheus}/api/v1/targets`);
        return r.data.activeTargets.find((t) => t.labels.job === 'tradewatch' && t.health === 'up');
      },
      20_000,
    );
    expect(target.scrapeUrl).toBe(`${printed.exporter}/metrics`);

    const rules = await json<{
      data: { groups: { name: string; rules: { name: string; type: string }[] }[] };
    }>(`${printed.prometheus}/api/v1/rules`);
    const loaded = rules.data.groups.map((g) => g.name).sort();
    const committed = ['recording.yml', 'alerts.yml']
      .flatMap(
        (f) =>
          (
            parse(readFileSync(join(REPO_ROOT, 'alert-rules', f), 'utf8')) as {
              groups: { name: string; rules: unknown[] }[];
            }
          ).groups,
      )
      .map((g) => g.name)
      .sort();
    expect(loaded).toEqual(committed);
    const alerts = rules.data.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting'));
    expect(alerts.map((a) => a.name)).toContain('TradewatchWatchdog');

    const flags = await json<{ data: Record<string, string> }>(
      `${printed.prometheus}/api/v1/status/flags`,
    );
    expect(flags.data['enable-feature']).toContain('exemplar-storage');
  }, 30_000);

  it('delivers the watchdog through Alertmanager to the alert history', async () => {
    const ready = await fetch(`${printed.alertmanager}/-/ready`);
    expect(ready.status).toBe(200);
    const entry = await until(
      'the watchdog reached GET /alerts/history',
      async () => {
        const r = await json<{
          alerts: { rule: string; context: { receiver: string; status: string } }[];
        }>(`${printed.exporter}/alerts/history?since=10m&alertname=TradewatchWatchdog`);
        return r.alerts[0];
      },
      40_000,
    );
    expect(entry.rule).toBe('TradewatchWatchdog');
    expect(entry.context.status).toBe('firing');
    // The generated routing tree: the watchdog's own route (no group wait) names the receiver.
    expect(['deadmans-switch', 'tradewatch-history']).toContain(entry.context.receiver);
  }, 50_000);

  it('stops every process on SIGINT, frees the ports and removes its directory', async () => {
    const pids = childrenOf(child!.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(4); // exporter, simulator, Prometheus, Alertmanager
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGINT');
    expect(await exited).toBe(0);
    await until(
      'every child has exited',
      async () => (pids.every((p) => !alive(p)) ? true : undefined),
      5_000,
    );
    for (const url of [
      printed.exporter,
      printed.prometheus,
      printed.alertmanager,
      printed.simulator,
    ]) {
      expect(await portFree(Number(new URL(url).port)), url).toBe(true);
    }
    expect(existsSync(printed.data)).toBe(false);
  }, 30_000);
});
