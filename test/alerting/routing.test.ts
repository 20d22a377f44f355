import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { config } from '../../mixin/config.js';
import { receivers } from '../../alert-rules/src/alertmanager.js';
import { ALERTMANAGER_CONFIG, run } from './alertmanager-harness.js';
import { generatedAlertLabels } from './rules-harness.js';

const { history, pager, chat, learningChat, retraining, deadMansSwitch } = receivers;

/**
 * Label sets and every receiver each must reach (document 000 section 4.3). amtool prints the
 * receivers in route order; tradewatch's history webhook is always first.
 */
const table: [string, Record<string, string>, string[]][] = [
  [
    'critical pages and goes to chat',
    { alertname: 'TradewatchCircuitBreakerActive', severity: 'critical', component: 'trading' },
    [history, chat, pager],
  ],
  [
    'critical discovery: chat, then the pager (after the escalation delay)',
    { alertname: 'TradewatchDiscoveryNoCandidates', severity: 'critical', component: 'discovery' },
    [history, chat, pager],
  ],
  [
    'warning goes to chat',
    { alertname: 'TradewatchDiscoveryFallbackActive', severity: 'warning', component: 'discovery' },
    [history, chat],
  ],
  [
    'info is recorded only',
    { alertname: 'TradewatchBuyTheDipCandidate', severity: 'info', component: 'dip_detection' },
    [history],
  ],
  [
    'missed opportunity goes to the learning channel',
    { alertname: 'TradewatchMissedOpportunity', severity: 'info', component: 'learning' },
    [history, learningChat],
  ],
  [
    'drift goes to retraining and chat',
    { alertname: 'TradewatchModelFeatureDrift', severity: 'warning', component: 'model' },
    [history, retraining, chat],
  ],
  [
    'PSI goes to retraining and chat',
    { alertname: 'TradewatchModelPsiSignificant', severity: 'warning', component: 'model' },
    [history, retraining, chat],
  ],
  [
    'a stale artifact is not drift',
    { alertname: 'TradewatchModelArtifactStale', severity: 'warning', component: 'model' },
    [history, chat],
  ],
  [
    "the watchdog goes to the dead man's switch",
    generatedAlertLabels('TradewatchWatchdog'),
    [history, deadMansSwitch],
  ],
  ['a manual alert with no severity is recorded', { alertname: 'ManualNote' }, [history]],
];

describe('alertmanager.yml', () => {
  it('passes `amtool check-config`', async () => {
    const result = await run('amtool', ['check-config', ALERTMANAGER_CONFIG]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it.each(table)('%s', async (_name, labels, expected) => {
    const result = await run('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${ALERTMANAGER_CONFIG}`,
      `--verify.receivers=${expected.join(',')}`,
      ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it('escalates critical discovery alerts to the pager only after the delay', async () => {
    // amtool shows which receivers match, not when: read the route's group_wait instead. A
    // group resolved before its first flush sends nothing, so the pager hears only of alerts
    // still firing after the delay.
    const doc = parse(await readFile(ALERTMANAGER_CONFIG, 'utf8')) as {
      route: { routes: { receiver: string; matchers?: string[]; group_wait?: string }[] };
    };
    const escalation = doc.route.routes.find(
      (r) => r.receiver === pager && r.matchers?.includes('component="discovery"'),
    );
    expect(escalation?.group_wait).toBe(config.routing.discoveryEscalationDelay);
    expect(config.routing.discoveryEscalationDelay).toBe('5m');
  });
});
