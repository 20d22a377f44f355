import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/record.js';
import { generatedAlertLabels } from '../../../test/alerting/rules-harness.js';
import {
  activeOccurrences,
  deleteQueued,
  loadQueued,
  readHistory,
  saveAcknowledgement,
  saveEvent,
  saveQueued,
  startsByComponent,
  storedEvents,
} from '../../src/alerts/store.js';
import type { Database } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrations.js';
import { deleteExpired } from '../../src/storage/retention.js';
import type { Statement } from '../../src/storage/write-buffer.js';
import { BACKENDS, type FreshDatabase } from '../storage/backends.js';

const NOW = new Date('2025-09-03T15:00:00Z');
const event = (status: 'firing' | 'resolved', receivedAt = NOW): AlertEvent => ({
  fingerprint: '0123456789abcdef',
  status,
  // Alertmanager sends nanoseconds; the database keeps microseconds.
  startsAt: '2025-09-03T14:30:22.123456789Z',
  endsAt: status === 'resolved' ? '2025-09-03T14:50:00Z' : null,
  labels: { alertname: 'TradewatchPipelineFailed', severity: 'critical', component: 'discovery' },
  annotations: { summary: 'A run failed.' },
  generatorURL: null,
  receiver: 'tradewatch',
  receivedAt,
});

describe.each(BACKENDS)('alert history store on $name', (backend) => {
  let fresh: FreshDatabase | undefined;
  const open = async (): Promise<Database> => {
    fresh = await backend.fresh();
    await migrate(fresh.db);
    return fresh.db;
  };
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });
  const apply = async (db: Database, ops: Statement[]) => {
    for (const op of ops) await db.query(op.sql, op.params);
  };
  const count = async (db: Database, table: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

  it('stores a notification once per fingerprint, start and status; resolved stays resolved', async () => {
    const db = await open();
    await apply(db, saveEvent(event('firing')));
    await apply(db, saveEvent(event('firing'))); // a repeat
    expect(await storedEvents(db, [event('firing'), event('resolved')])).toEqual(new Set([0]));
    await apply(db, saveEvent(event('resolved', new Date(NOW.getTime() + 1000))));
    await apply(db, saveEvent(event('firing'))); // late: the occurrence stays resolved
    expect(await count(db, 'alerts')).toBe(1);
    expect(await count(db, 'alert_notifications')).toBe(2);
    const [row] = await db.query<{ status: string; received_at: Date }>(
      'SELECT status, received_at FROM alerts',
    );
    expect(row).toEqual({ status: 'resolved', received_at: new Date(NOW.getTime() + 1000) });

    const history = await readHistory(db, {
      since: new Date(NOW.getTime() - 3_600_000),
      until: new Date(NOW.getTime() + 3_600_000),
      limit: 10,
    });
    expect(history.map((h) => [h.status, h.startsAt, h.acknowledged])).toEqual([
      ['resolved', '2025-09-03T14:30:22.123Z', false],
      ['firing', '2025-09-03T14:30:22.123Z', false],
    ]);
    expect(await activeOccurrences(db, new Date(0), 10)).toEqual([]);
  });

  it('reads active occurrences with their acknowledgement, and starts per component', async () => {
    const db = await open();
    await apply(db, saveEvent(event('firing')));
    const [active] = await activeOccurrences(db, new Date(NOW.getTime() - 60_000), 10);
    expect(active).toMatchObject({ status: 'firing', ack: null });
    const ack = {
      by: 'alice',
      comment: 'on it',
      silenceId: 'sil-1',
      at: NOW,
      expiresAt: new Date(NOW.getTime() + 3_600_000),
    };
    await apply(db, [saveAcknowledgement(active!.id, ack), saveAcknowledgement(active!.id, ack)]);
    expect(await count(db, 'alert_acknowledgements')).toBe(1);
    const [acked] = await activeOccurrences(db, new Date(NOW.getTime() - 60_000), 10);
    expect(acked?.ack).toEqual(ack);
    // Not notified since the window: no longer active (its resolution was never sent).
    expect(await activeOccurrences(db, new Date(NOW.getTime() + 1), 10)).toEqual([]);
    expect(await startsByComponent(db, NOW)).toEqual([
      { component: 'discovery', lastDay: 1, previousDay: 0 },
    ]);
  });

  it('leaves the generated Watchdog (severity none) out of the starts per component', async () => {
    const db = await open();
    const watchdog: AlertEvent = {
      ...event('firing'),
      fingerprint: 'fedcba9876543210',
      labels: generatedAlertLabels('TradewatchWatchdog'),
    };
    await apply(db, [...saveEvent(event('firing')), ...saveEvent(watchdog)]);
    expect(await count(db, 'alerts')).toBe(2);
    expect(await startsByComponent(db, NOW)).toEqual([
      { component: 'discovery', lastDay: 1, previousDay: 0 },
    ]);
  });

  it('retention of alerts takes their notifications and acknowledgements along', async () => {
    const db = await open();
    await apply(db, saveEvent(event('firing')));
    const [active] = await activeOccurrences(db, new Date(0), 10);
    await apply(db, [
      saveAcknowledgement(active!.id, {
        by: 'a',
        comment: 'c',
        silenceId: 's',
        at: NOW,
        expiresAt: NOW,
      }),
    ]);
    await deleteExpired(db, { alerts: 90 }, new Date(NOW.getTime() + 91 * 86_400_000));
    for (const table of ['alerts', 'alert_notifications', 'alert_acknowledgements']) {
      expect(await count(db, table)).toBe(0);
    }
  });

  it('keeps queued manual alerts until they are deleted', async () => {
    const db = await open();
    const queued = {
      alertId: 'discovery_failure_1',
      kind: 'pipeline' as const,
      alert: { labels: { alertname: 'X' }, annotations: {}, startsAt: NOW.toISOString() },
      receivedAt: NOW,
    };
    await apply(db, [saveQueued(queued), saveQueued(queued)]);
    expect(await loadQueued(db)).toEqual([queued]);
    await apply(db, [deleteQueued('discovery_failure_1')]);
    expect(await loadQueued(db)).toEqual([]);
  });
});
