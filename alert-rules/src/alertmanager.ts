import { config } from '../../mixin/config.js';
import { driftAlerts } from './model.js';
import { learning } from './learning.js';
import { exporterDownAlertName, systemHealth } from './system_health.js';

/**
 * The Alertmanager configuration (document 000 section 4.3), generated from the mixin config
 * and the rule modules so that alert names in matchers cannot drift from the rules.
 *
 * Every alert first goes to tradewatch's own history webhook (a `continue` route), then down
 * the routes for people: the first of those that matches wins, and an alert none of them
 * matches (severity info) stays recorded only.
 */
const r = config.routing;
const prefixed = (name: string): string => `${config.alertNamePrefix}${name}`;
const secret = (file: string): string => `${r.secretsDir}/${file}`;

export const receivers = {
  history: 'tradewatch-history',
  pager: 'pager',
  chat: 'chat',
  learningChat: 'learning-chat',
  retraining: 'retraining-webhook',
  deadMansSwitch: 'deadmans-switch',
} as const;

/** The full name of one of the rules' alerts: routing must not name an alert that does not exist. */
function alertName(rules: { alerts: readonly { alert: string }[] }, name: string): string {
  const alert = rules.alerts.find((a) => a.alert === prefixed(name));
  if (!alert) throw new Error(`routing names ${prefixed(name)}, which the rules lack`);
  return alert.alert;
}

const watchdog = alertName(systemHealth, 'Watchdog');
const missedOpportunity = alertName(learning, 'MissedOpportunity');

/** A webhook whose caller authenticates with a bearer token read from a file. */
function webhook(url: string, tokenFile: string): Record<string, unknown> {
  return {
    url,
    send_resolved: true,
    http_config: { authorization: { credentials_file: secret(tokenFile) } },
  };
}

function slack(channel: string, urlFile: string): Record<string, unknown> {
  return {
    api_url_file: secret(urlFile),
    channel,
    send_resolved: true,
    title:
      '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.component }})',
    text: '{{ range .Alerts }}{{ .Annotations.description }} <{{ .Annotations.runbook_url }}|runbook>\n{{ end }}',
  };
}

const anyOf = (names: readonly string[]): string => `alertname=~"${names.join('|')}"`;

export function alertmanagerConfig(): Record<string, unknown> {
  return {
    route: {
      receiver: receivers.history,
      group_by: [...r.groupBy],
      group_wait: r.groupWait,
      group_interval: r.groupInterval,
      repeat_interval: r.repeatInterval,
      routes: [
        // Every alert, firing and resolved, into tradewatch's alert history.
        { receiver: receivers.history, continue: true },
        {
          receiver: receivers.deadMansSwitch,
          matchers: [`alertname="${watchdog}"`],
          group_wait: '0s',
          group_interval: r.watchdogRepeatInterval,
          repeat_interval: r.watchdogRepeatInterval,
        },
        // Drift triggers retraining, and still reaches people by its severity below.
        {
          receiver: receivers.retraining,
          matchers: [anyOf(driftAlerts.map((a) => prefixed(a.name)))],
          continue: true,
        },
        { receiver: receivers.learningChat, matchers: [`alertname="${missedOpportunity}"`] },
        // Critical: chat at once; the pager at once, except discovery's, which escalate to
        // the pager only if still firing after the delay (a group resolved before its first
        // flush sends nothing).
        { receiver: receivers.chat, matchers: ['severity="critical"'], continue: true },
        {
          receiver: receivers.pager,
          matchers: ['severity="critical"', 'component="discovery"'],
          group_wait: r.discoveryEscalationDelay,
        },
        { receiver: receivers.pager, matchers: ['severity="critical"'] },
        { receiver: receivers.chat, matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: [
      {
        // A critical alert already explains the warnings of its component about the same
        // engine, pipeline or model (in the same deployment: one Alertmanager may serve several
        // tradewatch jobs). A label neither alert has compares equal; one engine's breaker
        // must not hide another engine's warnings.
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['job', 'component', 'engine', 'pipeline', 'model'],
      },
      {
        // With the exporter unscraped, alerts computed from its data are consequences. Two
        // ExporterDown alerts of one job must not silence each other, nor the watchdog go quiet.
        source_matchers: [`alertname="${exporterDownAlertName}"`],
        target_matchers: [`alertname!~"${exporterDownAlertName}|${watchdog}"`],
        equal: ['job'],
      },
    ],
    receivers: [
      {
        name: receivers.history,
        webhook_configs: [webhook(r.webhooks.tradewatch, 'tradewatch-webhook-token')],
      },
      {
        name: receivers.pager,
        pagerduty_configs: [
          { routing_key_file: secret('pagerduty-routing-key'), send_resolved: true },
        ],
      },
      { name: receivers.chat, slack_configs: [slack(r.channels.alerts, 'slack-alerts-url')] },
      {
        name: receivers.learningChat,
        slack_configs: [slack(r.channels.learning, 'slack-learning-url')],
      },
      {
        name: receivers.retraining,
        webhook_configs: [webhook(r.webhooks.retraining, 'retraining-webhook-token')],
      },
      {
        name: receivers.deadMansSwitch,
        webhook_configs: [webhook(r.webhooks.deadMansSwitch, 'deadmans-switch-token')],
      },
    ],
  };
}
