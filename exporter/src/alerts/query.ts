import type { Request } from 'express';
import { invalid } from '../http/errors.js';
import type { FieldError } from '../validation.js';
import { SEVERITIES } from './schema.js';
import type { HistoryFilter } from './store.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `2025-09-03T14:30:22Z`, or an age before `now` such as `90m`, `24h`, `7d`. */
export function parseTime(text: string, now: Date): Date | undefined {
  const relative = /^(\d{1,6})([smhd])$/.exec(text);
  if (relative)
    return new Date(
      now.getTime() - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number),
    );
  if (!/^\d{4}-\d\d-\d\dT/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Reads query parameters, collecting every problem before answering 400. */
class QueryReader {
  readonly errors: FieldError[] = [];

  constructor(private readonly req: Request) {}

  text(name: string, pattern: RegExp, explain: string): string | undefined {
    const value = this.req.query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.errors.push({ field: name, message: 'must be given once, as a single value' });
    } else if (!pattern.test(value)) {
      this.errors.push({ field: name, message: `must be ${explain}` });
    } else return value;
    return undefined;
  }

  time(name: string, now: Date): Date | undefined {
    const text = this.text(name, /^[0-9A-Za-z:.+-]{1,64}$/, 'an RFC 3339 time or an age like 24h');
    if (text === undefined) return undefined;
    const time = parseTime(text, now);
    if (!time)
      this.errors.push({ field: name, message: 'must be an RFC 3339 time or an age like 24h' });
    return time;
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    const text = this.text(name, /^\d{1,6}$/, `an integer from ${min} to ${max}`);
    const n = text === undefined ? fallback : Number(text);
    if (n < min || n > max) {
      this.errors.push({ field: name, message: `must be an integer from ${min} to ${max}` });
    }
    return n;
  }

  done(): void {
    if (this.errors.length > 0) throw invalid(this.errors);
  }
}

const NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

/** `GET /alerts/history?since=24h&until=...&status=&severity=&component=&alertname=&limit=`. */
export function historyFilter(req: Request, now: Date): HistoryFilter {
  const q = new QueryReader(req);
  const since = q.time('since', now) ?? new Date(now.getTime() - 86_400_000);
  const until = q.time('until', now) ?? now;
  const filter: HistoryFilter = {
    since,
    until,
    status: q.text('status', /^(firing|resolved)$/, 'firing or resolved'),
    severity: q.text(
      'severity',
      new RegExp(`^(${SEVERITIES.join('|')})$`),
      `one of ${SEVERITIES.join(', ')}`,
    ),
    component: q.text('component', NAME, 'a component name'),
    alertname: q.text('alertname', NAME, 'an alert name'),
    limit: q.integer('limit', 1, 1000, 100),
  };
  if (since > until) q.errors.push({ field: 'since', message: 'must not be after until' });
  q.done();
  return filter;
}

/** `GET /alerts/dashboard?limit=N`: how many priority alerts to list. */
export function priorityLimit(req: Request): number {
  const q = new QueryReader(req);
  const limit = q.integer('limit', 1, 100, 10);
  q.done();
  return limit;
}
