import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stand-ins for the receivers the routing table names (chat, pager, retraining, dead man's
 * switch): one HTTP server on loopback that records every notification Alertmanager posts to
 * `/<receiver>/<integration>`, normalised across Slack, PagerDuty and webhook bodies.
 */
export interface Notification {
  receiver: string;
  integration: string;
  /** Date.now() when it arrived. */
  at: number;
  /** The group's status: `firing` while any of its alerts fires. */
  status: 'firing' | 'resolved';
  /** Alert names the notification is about. */
  alertnames: string[];
  /** The whole body as text, to look for an engine, a pipeline, a model. */
  text: string;
  /** Webhook bodies only: each alert's labels and status. */
  alerts?: { status: string; labels: Record<string, string> }[];
}

export interface CaptureServer {
  /** The URL a receiver is pointed at. */
  url(receiver: string, integration: string): string;
  readonly notifications: Notification[];
  /**
   * Polls until a notification to `receiver` arrived at or after `since` that `match` accepts;
   * fails naming what did arrive.
   */
  waitFor(
    what: string,
    receiver: string,
    match: (n: Notification) => boolean,
    options?: { since?: number; timeoutMs?: number },
  ): Promise<Notification>;
  close(): Promise<void>;
}

interface WebhookBody {
  status: 'firing' | 'resolved';
  alerts: { status: string; labels: Record<string, string> }[];
}
interface SlackBody {
  attachments?: { title?: string; text?: string }[];
}
interface PagerDutyBody {
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: { summary?: string };
}

export async function startCapture(): Promise<CaptureServer> {
  const notifications: Notification[] = [];
  /** PagerDuty resolve events carry no summary: the alert names of their trigger. */
  const pagerGroups = new Map<string, string[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const [, receiver = '', integration = ''] = (req.url ?? '').split('/');
      try {
        notifications.push(normalise(receiver, integration, body, pagerGroups));
        res.writeHead(integration === 'pagerduty' ? 202 : 200, {
          'content-type': 'application/json',
        });
        res.end('{"status":"success"}');
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const waitFor: CaptureServer['waitFor'] = async (what, receiver, match, options = {}) => {
    const since = options.since ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const found = notifications.find((n) => n.receiver === receiver && n.at >= since && match(n));
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = notifications
          .filter((n) => n.receiver === receiver && n.at >= since)
          .map((n) => `${n.status} ${n.alertnames.join(',')}`);
        throw new Error(
          `no ${what} at receiver ${receiver} within ${options.timeoutMs ?? 30_000} ms; ` +
            `it got: ${seen.length > 0 ? seen.join('; ') : 'nothing'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    url: (receiver, integration) => `http://127.0.0.1:${port}/${receiver}/${integration}`,
    notifications,
    waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function normalise(
  receiver: string,
  integration: string,
  body: string,
  pagerGroups: Map<string, string[]>,
): Notification {
  const at = Date.now();
  const base = { receiver, integration, at, text: body };
  if (integration === 'webhook') {
    const b = JSON.parse(body) as WebhookBody;
    const alertnames = [...new Set(b.alerts.map((a) => a.labels.alertname ?? ''))];
    return { ...base, status: b.status, alertnames, alerts: b.alerts };
  }
  if (integration === 'slack') {
    // The title is `[FIRING] <alertname> (<component>)` (alert-rules/src/alertmanager.ts).
    const title = (JSON.parse(body) as SlackBody).attachments?.[0]?.title ?? '';
    const m = /^\[(FIRING|RESOLVED)\] (\S+)/.exec(title);
    if (!m) throw new Error(`unexpected Slack title: ${title}`);
    return { ...base, status: m[1] === 'FIRING' ? 'firing' : 'resolved', alertnames: [m[2]!] };
  }
  if (integration === 'pagerduty') {
    const b = JSON.parse(body) as PagerDutyBody;
    // The default summary: `[FIRING:1] <group label values> ...`; group_by starts with alertname.
    const fromSummary = /^\[FIRING:\d+\] (\S+)/.exec(b.payload?.summary ?? '')?.[1];
    if (fromSummary) pagerGroups.set(b.dedup_key, [fromSummary]);
    const alertnames = fromSummary ? [fromSummary] : (pagerGroups.get(b.dedup_key) ?? []);
    return {
      ...base,
      status: b.event_action === 'trigger' ? 'firing' : 'resolved',
      alertnames,
    };
  }
  throw new Error(`unknown integration ${integration}`);
}
