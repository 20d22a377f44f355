import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type TestExporter } from '../../../test/helpers/exporter.js';
import { postJson } from '../../../test/helpers/http.js';
import { snapshotAt } from '../../../test/helpers/payloads.js';
import {
  alertmanagerForTests,
  freePort,
  type RunningAlertmanager,
} from '../../../test/http/alerts-alertmanager.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`npm run build` first) with a clean TRADEWATCH_* environment, without
 * blocking this process: the exporter it talks to runs here.
 */
function cli(...args: string[]): Promise<Run> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\``);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TRADEWATCH_')),
  );
  const child = spawn(process.execPath, [CLI, ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
const json = <T>(r: Run): T => JSON.parse(r.stdout) as T;

interface HealthReport {
  healthy: boolean;
  checks: { check: string; status: string; detail: string }[];
}

describe('the tradewatch CLI', () => {
  let tw: TestExporter;
  let am: RunningAlertmanager;
  let prometheus: Server;
  let promUrl = '';
  let targetUp = '1';
  let dir: string;

  beforeAll(async () => {
    // `health` judges a tick against one heartbeat interval, as the alert does: a minute keeps
    // the tick fresh while the CLI starts on a loaded machine.
    tw = await startExporter(
      { TRADEWATCH_ENGINE__HEARTBEAT_INTERVAL_SECONDS: '60' },
      { domains: [] },
    );
    am = await alertmanagerForTests();
    await am.route(`${tw.url}/alerts/webhook`);
    dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
    // Prometheus' query API, answering `up` for one target.
    prometheus = createServer((req, res) => {
      expect(req.url).toContain(encodeURIComponent('up{job="tradewatch"}'));
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'vector',
            result: [{ metric: { job: 'tradewatch', instance: 'tw:9473' }, value: [0, targetUp] }],
          },
        }),
      );
    });
    await new Promise<void>((r) => prometheus.listen(0, '127.0.0.1', r));
    const address = prometheus.address();
    promUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await tw?.close();
    await am?.close();
    prometheus?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tick = async (breaker: boolean) => {
    const snapshot = snapshotAt(new Date().toISOString());
    snapshot.risk.circuit_breaker_active = breaker;
    expect((await postJson(tw.url, '/v1/ticks', snapshot)).status).toBe(200);
    // The tick's audit row (docs/security.md) is written within flush_interval_ms: wait for it,
    // so `health` does not see it pending.
    await tw.exporter.storage.buffer.flush();
  };

  it('health passes on a fresh engine and a target that is up (exit 0)', async () => {
    await tick(false);
    const r = await cli('health', '--url', tw.url, '--prometheus', promUrl, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = json<HealthReport>(r);
    expect(report.healthy).toBe(true);
    const byName = Object.fromEntries(report.checks.map((c) => [c.check, c.status]));
    expect(byName).toMatchObject({
      'heartbeat default': 'ok',
      'circuit breaker default': 'ok',
      storage: 'ok',
      'prometheus target tw:9473': 'ok',
    });
    expect(report.checks.filter((c) => c.check.startsWith('connectivity'))).not.toHaveLength(0);
    expect(report.checks.filter((c) => c.check.startsWith('artifact'))).not.toHaveLength(0);

    const table = await cli('health', '--url', tw.url);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^CHECK +STATUS +DETAIL/);
    expect(table.stdout).toMatch(/^prometheus target +SKIPPED/m);
    expect(table.stdout.trimEnd().endsWith('healthy')).toBe(true);
  });

  it('health fails (exit 1) on an active circuit breaker, a target down, no exporter', async () => {
    await tick(true);
    targetUp = '0';
    const r = await cli('health', '--url', tw.url, '--prometheus', promUrl);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^circuit breaker default +FAIL +active: trading halted/m);
    expect(r.stdout).toMatch(/^prometheus target tw:9473 +FAIL +down/m);
    expect(r.stdout).toContain('UNHEALTHY');

    const gone = await cli('health', '--url', `http://127.0.0.1:${await freePort()}`, '--json');
    expect(gone.code).toBe(1);
    expect(json<HealthReport>(gone).checks).toEqual([
      { check: 'exporter', status: 'fail', detail: expect.stringContaining('ECONNREFUSED') },
    ]);
    await tick(false);
    targetUp = '1';
  });

  it('metrics prints the chosen families as a table or JSON', async () => {
    const r = await cli(
      'metrics',
      'tradewatch_engine_open_positions',
      'tradewatch_storage_up',
      '--url',
      tw.url,
      '--json',
    );
    expect(r.code).toBe(0);
    expect(json<unknown[]>(r)).toEqual([
      {
        family: 'tradewatch_engine_open_positions',
        type: 'gauge',
        name: 'tradewatch_engine_open_positions',
        labels: { engine: 'default' },
        value: 3,
      },
      {
        family: 'tradewatch_storage_up',
        type: 'gauge',
        name: 'tradewatch_storage_up',
        labels: {},
        value: 1,
      },
    ]);
    const table = await cli('metrics', 'tradewatch_engine_*', '--url', tw.url);
    expect(table.stdout).toMatch(/^METRIC +LABELS +VALUE$/m);
    expect(table.stdout).toMatch(/^tradewatch_engine_open_positions +\{engine="default"\} +3$/m);
    const unknown = await cli('metrics', 'tradewatch_nope', '--url', tw.url);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no metric family matches tradewatch_nope');
  });

  it('alerts status lists what Alertmanager holds', async () => {
    const alert = {
      labels: {
        alertname: 'TradewatchHeartbeatLapsed',
        severity: 'critical',
        component: 'trading',
      },
      annotations: { summary: 'The engine heartbeat lapsed.' },
      startsAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    };
    const posted = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert]),
    });
    expect(posted.status).toBe(200);
    const r = await cli('alerts', 'status', '--alertmanager', am.url, '--json');
    expect(r.code).toBe(0);
    expect(json<unknown[]>(r)).toEqual([
      expect.objectContaining({
        alertname: 'TradewatchHeartbeatLapsed',
        severity: 'critical',
        component: 'trading',
        state: 'active',
        summary: 'The engine heartbeat lapsed.',
      }),
    ]);
    const table = await cli('alerts', 'status', '--alertmanager', am.url);
    expect(table.stdout).toMatch(/^SEVERITY +ALERTNAME +COMPONENT +STATE +AGE +SUMMARY$/m);
    expect(table.stdout).toMatch(
      /^critical +TradewatchHeartbeatLapsed +trading +active +5m +The engine/m,
    );
    expect((await cli('alerts', 'status')).code).toBe(2); // no Alertmanager named
  });

  it('alerts tail prints the last lines, then follows what is appended', async () => {
    const line = (rule: string) =>
      `${JSON.stringify({ timestamp: '2025-10-12T12:35:00Z', severity: 'CRITICAL', rule, message: `${rule} fired`, context: { status: 'firing', labels: { alertname: rule, severity: 'critical', component: 'trading' } }, acknowledged: false })}\n`;
    const file = join(dir, `${new Date().toISOString().slice(0, 10)}.jsonl`);
    writeFileSync(file, line('First') + line('Second') + line('Third'));

    const once = await cli('alerts', 'tail', '--dir', dir, '--lines', '2', '--once');
    expect(once.code).toBe(0);
    expect(once.stdout.split('\n').filter(Boolean)).toEqual([
      '2025-10-12T12:35:00Z  CRITICAL  Second  [firing]  Second fired  {component="trading"}',
      '2025-10-12T12:35:00Z  CRITICAL  Third  [firing]  Third fired  {component="trading"}',
    ]);

    const child = spawn(process.execPath, [
      CLI,
      'alerts',
      'tail',
      '--dir',
      dir,
      '--lines',
      '0',
      '--json',
    ]);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    try {
      await new Promise((r) => setTimeout(r, 700)); // it has read the file once
      appendFileSync(file, line('Fourth'));
      const until = Date.now() + 10_000;
      while (!out.includes('Fourth') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      expect(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { rule: string }).rule),
      ).toEqual(['Fourth']);
    } finally {
      child.kill();
    }
  });

  it('answers a usage error with exit 2', async () => {
    const r = await cli('bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command: bogus');
    expect((await cli('--help')).code).toBe(0);
  });
});
