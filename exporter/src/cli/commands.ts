import { AlertmanagerClient } from '../alerts/alertmanager.js';
import { parseExposition, selectFamilies, type MetricFamily } from './exposition.js';
import { healthChecks, healthy, type TargetsResult } from './health.js';
import { formatAge, formatLabels, renderTable } from './table.js';

export interface Output {
  json: boolean;
  out: (text: string) => void;
}

/** Thrown for a failure the command reports on stderr and exits 1 with. */
export class CommandError extends Error {}

const TIMEOUT_MS = 5000;

async function fetchText(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new CommandError(`${url}: ${cause ?? (err as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok)
    throw new CommandError(`${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

export async function scrapeExporter(exporterUrl: string): Promise<MetricFamily[]> {
  return parseExposition(await fetchText(`${exporterUrl.replace(/\/+$/, '')}/metrics`));
}

/** `tradewatch alerts status`: the alerts Alertmanager holds, active and suppressed. */
export async function alertsStatus(alertmanagerUrl: string, o: Output): Promise<number> {
  const result = await new AlertmanagerClient(alertmanagerUrl, TIMEOUT_MS).listAlerts();
  if (!result.ok) throw new CommandError(result.message);
  const now = Date.now() / 1000;
  const alerts = result.value
    .map((a) => ({
      alertname: a.labels.alertname ?? '',
      severity: a.labels.severity ?? 'none',
      component: a.labels.component ?? '',
      state: a.status.state,
      starts_at: a.startsAt,
      summary: a.annotations.summary ?? a.annotations.description ?? '',
      fingerprint: a.fingerprint,
      labels: a.labels,
    }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER(a.severity) - SEVERITY_ORDER(b.severity) ||
        a.starts_at.localeCompare(b.starts_at),
    );
  if (o.json) o.out(JSON.stringify(alerts, null, 2));
  else if (alerts.length === 0) o.out('no active alerts');
  else
    o.out(
      renderTable(
        ['severity', 'alertname', 'component', 'state', 'age', 'summary'],
        alerts.map((a) => [
          a.severity,
          a.alertname,
          a.component,
          a.state,
          formatAge(now - Date.parse(a.starts_at) / 1000),
          a.summary,
        ]),
      ),
    );
  return 0;
}

const SEVERITY_ORDER = (s: string): number => ['critical', 'warning', 'info'].indexOf(s) >>> 0;

/** `tradewatch health`: exit 0 when no check fails, 1 otherwise (an unreachable exporter fails). */
export async function health(
  exporterUrl: string,
  prometheus: { url: string; job: string } | undefined,
  o: Output,
): Promise<number> {
  let checks;
  try {
    const families = await scrapeExporter(exporterUrl);
    const targets = prometheus ? await promTargets(prometheus.url, prometheus.job) : undefined;
    checks = healthChecks(families, Date.now() / 1000, targets);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    checks = [{ check: 'exporter', status: 'fail' as const, detail: err.message }];
  }
  const ok = healthy(checks);
  if (o.json) o.out(JSON.stringify({ healthy: ok, checks }, null, 2));
  else {
    o.out(
      renderTable(
        ['check', 'status', 'detail'],
        checks.map((c) => [c.check, c.status.toUpperCase(), c.detail]),
      ),
    );
    o.out(ok ? '\nhealthy' : '\nUNHEALTHY');
  }
  return ok ? 0 : 1;
}

async function promTargets(url: string, job: string): Promise<TargetsResult> {
  const query = encodeURIComponent(`up{job="${job.replace(/["\\]/g, '\\$&')}"}`);
  try {
    const body = JSON.parse(
      await fetchText(`${url.replace(/\/+$/, '')}/api/v1/query?query=${query}`),
    ) as {
      data?: { result?: { metric: Record<string, string>; value: [number, string] }[] };
    };
    const result = body.data?.result ?? [];
    return {
      ok: true,
      job,
      targets: result.map((r) => ({ instance: r.metric.instance ?? '', up: r.value[1] === '1' })),
    };
  } catch (err) {
    return { ok: false, job, error: `Prometheus: ${(err as Error).message}` };
  }
}

/** `tradewatch metrics <family...>`: current values; a name ending in `*` is a prefix. */
export async function metrics(
  exporterUrl: string,
  patterns: readonly string[],
  o: Output,
): Promise<number> {
  const families = await scrapeExporter(exporterUrl);
  const missing = patterns.filter((p) => selectFamilies(families, p).length === 0);
  if (missing.length > 0) throw new CommandError(`no metric family matches ${missing.join(', ')}`);
  const chosen = [...new Set(patterns.flatMap((p) => selectFamilies(families, p)))];
  const samples = chosen.flatMap((f) =>
    f.samples.map((s) => ({ family: f.name, type: f.type, ...s })),
  );
  if (o.json) o.out(JSON.stringify(samples, null, 2));
  else
    o.out(
      renderTable(
        ['metric', 'labels', 'value'],
        samples.map((s) => [s.name, formatLabels(s.labels), String(s.value)]),
      ),
    );
  return 0;
}
