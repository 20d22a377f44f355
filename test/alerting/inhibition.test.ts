import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from './alertmanager-harness.js';
import { generatedAlertLabels } from './rules-harness.js';

/**
 * amtool does not evaluate inhibition: post alerts to a real Alertmanager on loopback and read
 * back which are suppressed, and by what. Each scenario uses its own job so they do not meet.
 */
interface AlertState {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
  fingerprint: string;
}

let am: RunningAlertmanager;
const alert = (labels: Record<string, string>) => ({ labels, annotations: {} });

beforeAll(async () => {
  am = await startAlertmanager();
  const posted = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      // A critical and warnings of the same component (about the same engine, another engine,
      // and no engine: a data source), and one of another component.
      alert({
        alertname: 'TradewatchCircuitBreakerActive',
        severity: 'critical',
        component: 'trading',
        job: 'a',
        engine: 'live',
      }),
      alert({
        alertname: 'TradewatchSentimentProviderFailures',
        severity: 'warning',
        component: 'trading',
        job: 'a',
        engine: 'live',
      }),
      alert({
        alertname: 'TradewatchSentimentProviderFailures',
        severity: 'warning',
        component: 'trading',
        job: 'a',
        engine: 'paper',
      }),
      alert({
        alertname: 'TradewatchDataSourceStale',
        severity: 'warning',
        component: 'trading',
        job: 'a',
        source: 'polygon',
      }),
      alert({
        alertname: 'TradewatchDiscoveryFallbackActive',
        severity: 'warning',
        component: 'discovery',
        job: 'a',
        pipeline: 'discovery',
      }),
      alert({
        alertname: 'TradewatchBuyTheDipCandidate',
        severity: 'info',
        component: 'trading',
        job: 'a',
        symbol: 'QUBT',
      }),
      // The exporter of job b is down: alerts from its data are consequences.
      alert({
        alertname: 'TradewatchExporterDown',
        severity: 'critical',
        component: 'system_health',
        job: 'b',
        instance: 'b1',
      }),
      alert({
        alertname: 'TradewatchExporterDown',
        severity: 'critical',
        component: 'system_health',
        job: 'b',
        instance: 'b2',
      }),
      alert({
        alertname: 'TradewatchDiscoveryNoCandidates',
        severity: 'critical',
        component: 'discovery',
        job: 'b',
        pipeline: 'discovery',
      }),
      alert({
        alertname: 'TradewatchHeartbeatLapsed',
        severity: 'critical',
        component: 'trading',
        job: 'c',
        engine: 'live',
      }),
      // As generated (severity none): no inhibition rule may silence it.
      alert(generatedAlertLabels('TradewatchWatchdog')),
    ]),
  });
  expect(posted.status).toBe(200);
});

afterAll(() => am?.stop());

async function states(): Promise<Map<string, AlertState>> {
  const alerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AlertState[];
  const key = (l: Record<string, string>) =>
    `${l.alertname}/${l.job ?? ''}/${l.instance ?? ''}${l.engine ? `/${l.engine}` : ''}`;
  return new Map(alerts.map((a) => [key(a.labels), a]));
}

describe('inhibition in a running Alertmanager', () => {
  it('a critical suppresses the warnings of its component about the same engine only', async () => {
    const s = await states();
    const breaker = s.get('TradewatchCircuitBreakerActive/a//live')!;
    expect(breaker.status.state).toBe('active');
    expect(s.get('TradewatchSentimentProviderFailures/a//live')!.status).toEqual({
      ...s.get('TradewatchSentimentProviderFailures/a//live')!.status,
      state: 'suppressed',
      inhibitedBy: [breaker.fingerprint],
    });
    expect(s.get('TradewatchSentimentProviderFailures/a//paper')!.status.state).toBe('active');
    expect(s.get('TradewatchDataSourceStale/a/')!.status.state).toBe('active');
    expect(s.get('TradewatchDiscoveryFallbackActive/a/')!.status.state).toBe('active');
    expect(s.get('TradewatchBuyTheDipCandidate/a/')!.status.state).toBe('active');
  });

  it('the exporter down suppresses the alerts of its job, not itself, other jobs or the watchdog', async () => {
    const s = await states();
    expect(s.get('TradewatchDiscoveryNoCandidates/b/')!.status.state).toBe('suppressed');
    expect(s.get('TradewatchExporterDown/b/b1')!.status.state).toBe('active');
    expect(s.get('TradewatchExporterDown/b/b2')!.status.state).toBe('active');
    expect(s.get('TradewatchHeartbeatLapsed/c//live')!.status.state).toBe('active');
    expect(s.get('TradewatchWatchdog//')!.status.state).toBe('active');
  });
});
