import { describe, expect, it } from 'vitest';
import { acknowledgedBy, auditTarget } from '../../exporter/src/audit/target.js';

describe('audit target', () => {
  it('names path parameters, then the distinct identifying field of each event', () => {
    expect(auditTarget('baseline', ['model=m1'], { from: 'x' })).toBe('model=m1');
    const recs = [{ tracking_id: 'a' }, { tracking_id: 'b' }, { tracking_id: 'a' }, {}];
    expect(auditTarget('recommendation', [], recs)).toBe('tracking_id=a,b');
    expect(auditTarget('tick', [], 'not an object')).toBeNull();
    expect(auditTarget('importance', [], { anything: 1 })).toBeNull();
  });

  it('summarises a big batch and keeps only text PostgreSQL can store', () => {
    const runs = Array.from({ length: 25 }, (_, i) => ({ pipeline_id: `r${i}` }));
    const target = auditTarget('pipeline_run', [], runs);
    expect(target).toBe(
      `pipeline_id=${runs
        .slice(0, 20)
        .map((r) => r.pipeline_id)
        .join(',')},+5 more`,
    );
    expect(auditTarget('price', [], { symbol: 'A\u0000B\ud800' })).toBe('symbol=A\ufffdB\ufffd');
    expect(auditTarget('price', [], { symbol: 'x'.repeat(600) })).toHaveLength(500);
    expect(acknowledgedBy('alert_ack', { acknowledged_by: 'on\ncall' })).toBe('on\ufffdcall');
    expect(acknowledgedBy('baseline', { acknowledged_by: 'x' })).toBeNull();
  });
});
