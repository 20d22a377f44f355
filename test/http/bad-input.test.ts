import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, WRONG_TOKEN, type TestExporter } from '../helpers/exporter.js';
import { sampleValue, VOLATILE_PREFIXES, withoutFamilies } from '../helpers/exposition.js';
import { bearer, get, postJson, postRaw, scrape, type Reply } from '../helpers/http.js';
import { run, seedRun, seedSnapshot, snapshotAt } from '../helpers/payloads.js';
import { checkMetrics } from '../helpers/promtool.js';

const RUNS = '/v1/pipeline-runs';
const TICKS = '/v1/ticks';
const SOURCE = '/v1/sources/polygon/heartbeat';
const heartbeatOf = (encodedName: string): string => `/v1/sources/${encodedName}/heartbeat`;

const BODY_LIMIT = 32_768;
const MAX_BATCH = 5;

/** The exposition minus the families that change with every request. */
const stableMetrics = async (url: string): Promise<string> =>
  withoutFamilies((await scrape(url)).text, VOLATILE_PREFIXES);

// ---------------------------------------------------------------------------------------------
// Building bad bodies from good ones

const DELETE = Symbol('delete');
/** A number literal JSON.stringify cannot write (1e400 parses to Infinity; NaN is not JSON). */
const raw = (literal: string): string => `\u0000raw:${literal}\u0000`;
const serialize = (value: unknown): string =>
  JSON.stringify(value).replace(/"\\u0000raw:([^"\\]*)\\u0000"/g, '$1');

/** Sets (or deletes) `a.b[2].c` in a copy of `base` and serialises it. */
function edited(base: unknown, ...edits: [path: string, value: unknown][]): string {
  const copy = structuredClone(base) as Record<string, unknown>;
  for (const [path, value] of edits) {
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
    const last = keys.pop() as string;
    let node: Record<string, unknown> = copy;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    if (value === DELETE) Reflect.deleteProperty(node, last);
    else node[last] = value;
  }
  return serialize(copy);
}

const GOOD = {
  [RUNS]: () => seedRun(),
  [TICKS]: () => seedSnapshot(),
  [SOURCE]: () => ({ timestamp: '2025-09-03T14:30:00Z', expected_interval_seconds: 60 }),
} as const;
type Endpoint = keyof typeof GOOD;
const ENDPOINTS = Object.keys(GOOD) as Endpoint[];

const daysFromNow = (days: number): string =>
  new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** Label-bound names that are not identifiers: quotes, escapes, controls, unicode, lengths. */
const BAD_NAMES: [label: string, value: string][] = [
  ['a double quote', 'price"filter'],
  ['a backslash', 'price\\filter'],
  ['a newline', 'price\nfilter'],
  ['a carriage return', 'price\rfilter'],
  ['a tab', 'price\tfilter'],
  ['a NUL', 'price\u0000filter'],
  ['an ANSI escape', '\u001b[31mred'],
  ['a DEL', 'price\u007ffilter'],
  ['an accented letter', 'prix_filtré'],
  ['an emoji', 'rocket🚀'],
  ['a right-to-left override', 'price\u202efilter'],
  ['a zero-width space', 'price\u200bfilter'],
  ['a lone surrogate', 'price\ud800filter'],
  ['a space', 'price filter'],
  ['a leading underscore', '_price'],
  ['nothing', ''],
  ['101 characters', 'x'.repeat(101)],
];
/** Object keys that become label values; `__proto__` on top. */
const BAD_KEYS: [label: string, value: string][] = [
  ['__proto__', '__proto__'],
  ...BAD_NAMES.filter(([, v]) => v !== ''),
];

interface Case {
  name: string;
  path: string;
  body: string;
  status: number;
  /** For 400: the field path the answer must name. */
  field?: string;
  contentType?: string | null;
  authorization?: string | null;
}

const cases: Case[] = [];
const invalid = (name: string, path: string, body: string, field: string): void => {
  cases.push({ name, path, body, status: 400, field });
};

// --- all three endpoints -----------------------------------------------------------------------
for (const path of ENDPOINTS) {
  const good = serialize(GOOD[path]());
  const padded = edited(GOOD[path](), ['padding', 'x'.repeat(BODY_LIMIT + 1024)]);
  invalid(`${path}: malformed JSON`, path, good.slice(0, -7), '(body)');
  invalid(`${path}: a JSON string, not an object`, path, '"hello"', '(body)');
  invalid(`${path}: a JSON number, not an object`, path, '42', '(body)');
  invalid(`${path}: JSON null`, path, 'null', '(body)');
  cases.push(
    { name: `${path}: body over the size limit`, path, body: padded, status: 413 },
    {
      name: `${path}: Content-Type text/plain`,
      path,
      body: good,
      status: 415,
      contentType: 'text/plain',
    },
    {
      name: `${path}: Content-Type form-urlencoded`,
      path,
      body: good,
      status: 415,
      contentType: 'application/x-www-form-urlencoded',
    },
    { name: `${path}: no Authorization`, path, body: good, status: 401, authorization: null },
    {
      name: `${path}: Basic credentials`,
      path,
      body: good,
      status: 401,
      authorization: 'Basic dXNlcjpwYXNz',
    },
    {
      name: `${path}: Bearer without a token`,
      path,
      body: good,
      status: 401,
      authorization: 'Bearer ',
    },
    {
      name: `${path}: a wrong token`,
      path,
      body: good,
      status: 403,
      authorization: bearer(WRONG_TOKEN),
    },
  );
}

// --- POST /v1/pipeline-runs --------------------------------------------------------------------
const badRun = (name: string, path: string, value: unknown, field = path): void =>
  invalid(`run: ${name}`, RUNS, edited(seedRun(), [path, value]), field);

badRun('status of the wrong type', 'status', 1);
badRun('status outside the closed set', 'status', 'done');
badRun('stages not an array', 'stages', 'universe_loading');
badRun('a count sent as a string', 'stages[0].symbols_input', '2847');
badRun('a boolean sent as a string', 'fallback_detected', 'false');
badRun('a null stage', 'stages[2]', null);
badRun('no pipeline_id', 'pipeline_id', DELETE);
badRun('an empty pipeline_id', 'pipeline_id', '');
badRun('no status', 'status', DELETE);
badRun('no start_time', 'start_time', DELETE);
badRun('no stages', 'stages', DELETE);
badRun('a stage without stage_name', 'stages[2].stage_name', DELETE);
badRun('a stage without symbols_output', 'stages[2].symbols_output', DELETE);
badRun('a stage without status', 'stages[2].status', DELETE);
invalid(
  'run: completed without end_time or total_duration_ms',
  RUNS,
  edited(seedRun(), ['end_time', DELETE], ['total_duration_ms', DELETE]),
  'end_time',
);
badRun('negative symbols_input', 'stages[0].symbols_input', -1);
badRun('negative symbols_output', 'stages[4].symbols_output', -8);
badRun('negative duration_ms', 'stages[0].duration_ms', -245);
badRun('negative total_duration_ms', 'total_duration_ms', -1);
badRun('negative elimination count', 'stages[1].criteria.elimination_reasons.price_too_high', -5);
badRun('negative eliminated_count', 'stages[1].criteria.eliminated_count', -1);
badRun('a fractional count', 'stages[1].symbols_output', 1249.5);
badRun('symbols_output > symbols_input', 'stages[3].symbols_output', 88);
badRun('Infinity (1e400) total_duration_ms', 'total_duration_ms', raw('1e400'));
badRun('Infinity (1e400) symbols_input', 'stages[0].symbols_input', raw('1e400'));
badRun('-Infinity (-1e400) health score', 'pipeline_health_score', raw('-1e400'));
badRun('a health score above 1', 'pipeline_health_score', 1.5);
invalid('run: a raw NaN', RUNS, edited(seedRun(), ['total_duration_ms', raw('NaN')]), '(body)');
badRun('a repeated stage name', 'stages[1].stage_name', 'universe_loading');
badRun(
  '101 stages',
  'stages',
  Array.from({ length: 101 }, () => seedRun().stages[0]),
);
badRun(
  '201 elimination reasons',
  'stages[1].criteria.elimination_reasons',
  Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`reason_${i}`, 1])),
);
badRun('a pipeline name with a space', 'pipeline', 'pre market');
badRun('start_time before 2000', 'start_time', '1999-12-31T23:59:59Z');
badRun('start_time in the year 2999', 'start_time', '2999-01-01T00:00:00Z');
badRun('end_time three days ahead', 'end_time', daysFromNow(3));
badRun('start_time without a time zone', 'start_time', '2025-09-03T14:30:22');
badRun('end_time without a time zone', 'end_time', '2025-09-03T14:35:18');
badRun('start_time as a date only', 'start_time', '2025-09-03');
badRun('start_time as epoch seconds', 'start_time', 1756909822);
badRun('start_time as text', 'start_time', 'yesterday');
badRun('end_time before start_time', 'end_time', '2025-09-03T14:00:00Z');
for (const [label, name] of BAD_NAMES) {
  badRun(`a stage name with ${label}`, 'stages[1].stage_name', name);
}
for (const [label, key] of BAD_KEYS) {
  const reasons = Object.fromEntries([
    [key, 1432],
    ['price_too_low', 166],
  ]);
  const path = 'stages[1].criteria.elimination_reasons';
  badRun(`an elimination reason with ${label}`, path, reasons, `${path}.${key}`);
}
const smallRun = (id: string) =>
  run({
    pipeline_id: id,
    start_time: '2025-09-03T09:00:00Z',
    end_time: '2025-09-03T09:00:01Z',
    stages: [],
  });
invalid(
  `run: a batch over max_batch_size (${MAX_BATCH + 1})`,
  RUNS,
  serialize(Array.from({ length: MAX_BATCH + 1 }, (_, i) => smallRun(`batch_${i}`))),
  '(body)',
);
invalid('run: an empty batch', RUNS, '[]', '(body)');
invalid(
  'run: a batch whose second item is bad (the first must not be applied either)',
  RUNS,
  serialize([
    smallRun('good_first'),
    JSON.parse(edited(seedRun(), ['stages[0].symbols_input', -1])),
  ]),
  '[1].stages[0].symbols_input',
);

// --- POST /v1/ticks ----------------------------------------------------------------------------
const badTick = (name: string, path: string, value: unknown, field = path): void =>
  invalid(`tick: ${name}`, TICKS, edited(seedSnapshot(), [path, value]), field);

badTick('a count sent as a string', 'positions.count', '3');
badTick('the circuit breaker flag as a string', 'risk.circuit_breaker_active', 'false');
badTick('a service flag as a string', 'connectivity.breeze_authenticated', 'yes');
badTick('an artifact age as a string', 'artifacts.teacher_model_age_hours', '12');
badTick('heartbeat as a string', 'heartbeat', 'now');
badTick('no timestamp', 'timestamp', DELETE);
badTick('no heartbeat', 'heartbeat', DELETE);
badTick('no heartbeat.last_tick', 'heartbeat.last_tick', DELETE);
badTick('no positions', 'positions', DELETE);
badTick('no positions.count', 'positions.count', DELETE);
badTick('no pnl', 'pnl', DELETE);
badTick('no risk.circuit_breaker_active', 'risk.circuit_breaker_active', DELETE);
badTick('a negative position count', 'positions.count', -1);
badTick('negative provider errors', 'sentiment.provider_errors_1h', -1);
badTick('a negative uptime', 'heartbeat.uptime_seconds', -5);
badTick('a negative artifact age', 'artifacts.student_model_age_hours', -1);
badTick('a negative max position value', 'risk.max_position_value', -1);
badTick(
  'negative rate-limit hits',
  'api',
  { breeze: { rate_limit_hits: -1 } },
  'api.breeze.rate_limit_hits',
);
badTick('Infinity (1e400) position value', 'positions.total_value', raw('1e400'));
badTick('-Infinity (-1e400) daily PnL', 'pnl.daily', raw('-1e400'));
badTick('Infinity (1e400) daily_loss_pct', 'risk.daily_loss_pct', raw('1e400'));
badTick('Infinity (1e400) sentiment score', 'sentiment.last_score', raw('1e400'));
invalid('tick: a raw NaN', TICKS, edited(seedSnapshot(), ['pnl.daily', raw('NaN')]), '(body)');
badTick('a cache hit rate above 1', 'sentiment.cache_hit_rate', 1.2);
badTick('timestamp before 2000', 'timestamp', '1999-12-31T23:59:59Z');
badTick('timestamp three days ahead', 'timestamp', daysFromNow(3));
badTick('timestamp without a time zone', 'timestamp', '2025-10-12T12:34:56');
badTick('last_tick without a time zone', 'heartbeat.last_tick', '2025-10-12T12:34:56');
badTick('last_api_call three days ahead', 'connectivity.last_api_call', daysFromNow(3));
badTick(
  'an artifact update before 2000',
  'artifacts',
  { teacher_model_updated_at: '1999-01-01T00:00:00Z' },
  'artifacts.teacher_model_updated_at',
);
badTick('timestamp as epoch seconds', 'timestamp', 1760252696);
for (const [label, name] of BAD_NAMES) badTick(`an engine name with ${label}`, 'engine', name);
for (const [label, key] of BAD_KEYS) {
  badTick(`an API name with ${label}`, 'api', { [key]: { rate_limit_hits: 1 } }, `api.${key}`);
}
invalid(
  `tick: a batch over max_batch_size (${MAX_BATCH + 1})`,
  TICKS,
  serialize(Array.from({ length: MAX_BATCH + 1 }, () => seedSnapshot())),
  '(body)',
);
invalid('tick: an empty batch', TICKS, '[]', '(body)');
invalid(
  'tick: a batch whose second item is bad (the first must not be applied either)',
  TICKS,
  serialize([
    snapshotAt('2025-10-12T12:00:00Z', 'batch-first'),
    JSON.parse(edited(seedSnapshot(), ['positions.count', -1])),
  ]),
  '[1].positions.count',
);

// --- POST /v1/sources/{name}/heartbeat ---------------------------------------------------------
const goodBeat = serialize(GOOD[SOURCE]());
const badSourceNames: [label: string, encoded: string][] = [
  // A lone surrogate cannot be percent-encoded as UTF-8; an empty name is another route (404).
  ...BAD_NAMES.filter(([, v]) => v !== '' && v.isWellFormed()).map(
    ([label, v]): [string, string] => [label, encodeURIComponent(v)],
  ),
  ['__proto__', '__proto__'],
  ['a slash', 'a%2Fb'],
  ['a leading dash', '-feed'],
];
for (const [label, encoded] of badSourceNames) {
  invalid(`source: a name with ${label}`, heartbeatOf(encoded), goodBeat, 'name');
}
// express refuses to decode the path before any route sees it: the field is the path itself.
invalid('source: a malformed percent escape', heartbeatOf('%E0%A4%A'), goodBeat, '(path)');
const badBeat = (name: string, path: string, value: unknown, field = path): void =>
  invalid(`source: ${name}`, SOURCE, edited(GOOD[SOURCE](), [path, value]), field);
badBeat('timestamp as epoch seconds', 'timestamp', 1756909800);
badBeat('timestamp without a time zone', 'timestamp', '2025-09-03T14:30:00');
badBeat('timestamp as a date only', 'timestamp', '2025-09-03');
badBeat('timestamp before 2000', 'timestamp', '1999-12-31T23:59:59Z');
badBeat('timestamp three days ahead', 'timestamp', daysFromNow(3));
badBeat('a negative interval', 'expected_interval_seconds', -1);
badBeat('a zero interval', 'expected_interval_seconds', 0);
badBeat('an interval as a string', 'expected_interval_seconds', '60');
badBeat('an interval of Infinity (1e400)', 'expected_interval_seconds', raw('1e400'));
badBeat('an interval over a year', 'expected_interval_seconds', 31_536_001);
invalid('source: a raw NaN interval', SOURCE, '{"expected_interval_seconds": NaN}', '(body)');
invalid('source: an array body', SOURCE, '[]', '(body)');

// ---------------------------------------------------------------------------------------------

let tw: TestExporter;
beforeAll(async () => {
  tw = await startExporter({
    TRADEWATCH_SERVER__BODY_LIMIT_BYTES: String(BODY_LIMIT),
    TRADEWATCH_SERVER__MAX_BATCH_SIZE: String(MAX_BATCH),
  });
  // Existing series, so "unchanged" covers values that a bad input could move.
  for (const path of ENDPOINTS) {
    const answer = await postJson(tw.url, path, GOOD[path]());
    expect(answer.status, answer.text).toBe(200);
  }
});
afterAll(() => tw.close());

const names = new Set<string>();
for (const c of cases) {
  if (names.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
  names.add(c.name);
}

function expectErrorBody(answer: Reply, status: number, field?: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.json).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  if (status === 400) {
    const fields = (answer.json as { fields?: unknown }).fields;
    expect(fields, 'a 400 answer names the offending fields').toEqual(
      expect.arrayContaining([{ field, message: expect.any(String) }]),
    );
  }
}

describe('bad input is refused with a JSON error and changes no metric', () => {
  it('compares the domain series and only leaves out the volatile families', async () => {
    const stable = await stableMetrics(tw.url);
    for (const name of [
      'tradewatch_pipeline_runs_total{pipeline="discovery",status="completed"} 1',
      'tradewatch_engine_ticks_total{engine="default"} 1',
      'tradewatch_data_source_updates_total{source="polygon"} 1',
    ]) {
      expect(stable.split('\n')).toContain(name);
    }
    for (const prefix of VOLATILE_PREFIXES)
      expect(stable).not.toMatch(new RegExp(`^${prefix}`, 'm'));
    expect(stable).not.toMatch(/^# (HELP|TYPE) (process_|nodejs_|tradewatch_(http|ingest)_)/m);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const before = await stableMetrics(tw.url);
      const answer = await postRaw(tw.url, c.path, c.body, {
        ...(c.contentType !== undefined ? { contentType: c.contentType } : {}),
        ...(c.authorization !== undefined ? { authorization: c.authorization } : {}),
      });
      expectErrorBody(answer, c.status, c.field);
      expect(await stableMetrics(tw.url)).toBe(before);
    });
  }

  it('leaves the server answering: health, readiness, valid ingest and a clean scrape', async () => {
    expect((await get(tw.url, '/healthz')).status).toBe(200);
    expect((await get(tw.url, '/readyz')).status).toBe(200);
    const tick = snapshotAt('2025-10-12T12:40:00+05:30', 'after-bad-input');
    expect((await postJson(tw.url, TICKS, tick)).json).toEqual({ accepted: 1, duplicates: 0 });
    const { text } = await scrape(tw.url);
    expect(sampleValue(text, 'tradewatch_engine_ticks_total', { engine: 'after-bad-input' })).toBe(
      1,
    );
    const lint = await checkMetrics(text);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
  });
});

/**
 * RFC 3339 strings that the schema's date-time format accepts but that are easy to misread:
 * a real leap second and an hour-only offset. Refusing them (400 naming the field) and
 * reading them correctly are both fine; what must never happen is a NaN timestamp.
 */
describe('timestamps the schema lets through are read correctly or refused', () => {
  const variants = [
    { label: 'leap-second', timestamp: '2016-12-31T23:59:60Z', min: 1483228799, max: 1483228800 },
    { label: 'hour-offset', timestamp: '2025-09-03T14:30:00+05', min: 1756891800, max: 1756891800 },
  ];
  const targets = [
    {
      endpoint: 'sources',
      field: 'timestamp',
      send: (name: string, ts: string) => postJson(tw.url, heartbeatOf(name), { timestamp: ts }),
      read: (text: string, name: string) =>
        sampleValue(text, 'tradewatch_data_source_last_update_timestamp_seconds', { source: name }),
      offset: 0,
    },
    {
      endpoint: 'ticks',
      field: 'timestamp',
      send: (name: string, ts: string) => postJson(tw.url, TICKS, snapshotAt(ts, name)),
      read: (text: string, name: string) =>
        sampleValue(text, 'tradewatch_engine_heartbeat_timestamp_seconds', { engine: name }),
      offset: 0,
    },
    {
      endpoint: 'pipeline-runs',
      field: 'start_time',
      send: (name: string, ts: string) =>
        postJson(
          tw.url,
          RUNS,
          run({
            pipeline_id: `${name}_1`,
            pipeline: name,
            start_time: ts,
            total_duration_ms: 1000,
            stages: [],
          }),
        ),
      read: (text: string, name: string) =>
        sampleValue(text, 'tradewatch_pipeline_last_run_timestamp_seconds', { pipeline: name }),
      offset: 1,
    },
  ];

  for (const target of targets) {
    it(`${target.endpoint}: a leap second and an hour-only offset`, async () => {
      for (const v of variants) {
        const name = `${v.label}-${target.endpoint}`;
        const before = await stableMetrics(tw.url);
        const answer = await target.send(name, v.timestamp);
        if (answer.status === 400) {
          expectErrorBody(answer, 400, target.field);
          expect(await stableMetrics(tw.url)).toBe(before);
          continue;
        }
        expect(answer.status, answer.text).toBe(200);
        const value = target.read((await scrape(tw.url)).text, name) ?? NaN; // NaN: no series
        expect(value, `${v.timestamp} read as`).toBeGreaterThanOrEqual(v.min + target.offset);
        expect(value, `${v.timestamp} read as`).toBeLessThanOrEqual(v.max + target.offset);
      }
    });
  }
});

describe('rate limits (configured through the environment; per endpoint: test/security/rate-limit.test.ts)', () => {
  let limited: TestExporter;
  beforeAll(async () => {
    limited = await startExporter({
      TRADEWATCH_RATE_LIMIT__INGEST_REQUESTS: '3',
      TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '2',
      TRADEWATCH_RATE_LIMIT__WINDOW_SECONDS: '60',
    });
  });
  afterAll(() => limited.close());

  const expectLimited = (answer: Reply): void => {
    expectErrorBody(answer, 429);
    const retryAfter = Number(answer.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter), `Retry-After: ${answer.headers.get('retry-after')}`).toBe(
      true,
    );
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };

  it('answers 429 with Retry-After past the ingest limit, and records nothing', async () => {
    for (const minute of [30, 31, 32]) {
      const beat = { timestamp: `2025-09-03T14:${minute}:00Z` };
      expect((await postJson(limited.url, SOURCE, beat)).status).toBe(200);
    }
    await limited.exporter.shared.refresh(); // the leader's first refresh adds gauges of its own
    const before = await stableMetrics(limited.url);
    expectLimited(await postJson(limited.url, SOURCE, { timestamp: '2025-09-03T14:33:00Z' }));
    expectLimited(await postJson(limited.url, SOURCE, { timestamp: '2025-09-03T14:34:00Z' }));
    expect(await stableMetrics(limited.url)).toBe(before);
  });

  it('answers 429 with Retry-After past the read limit', async () => {
    expect((await get(limited.url, `${RUNS}?limit=1`)).status).toBe(200);
    expect((await get(limited.url, `${RUNS}?limit=1`)).status).toBe(200);
    expectLimited(await get(limited.url, `${RUNS}?limit=1`));
    expectLimited(await get(limited.url, '/monitoring/discovery/pipeline'));
  });

  it('keeps answering scrapes and probes while clients are limited', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await get(limited.url, '/healthz')).status).toBe(200);
      expect((await get(limited.url, '/readyz')).status).toBe(200);
      const { text } = await scrape(limited.url);
      expect(sampleValue(text, 'tradewatch_data_source_updates_total', { source: 'polygon' })).toBe(
        3,
      );
    }
  });
});
