/**
 * A small seeded generator of malformed and hostile ingest bodies (no fast-check here): the
 * same seed gives the same payloads, so a failure names the seed and index that reproduce it.
 */

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for picking cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Gen {
  next: () => number;
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  bool(): boolean;
}

export function gen(seed: number): Gen {
  const next = rng(seed);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    bool: () => next() < 0.5,
  };
}

/** One generated request: what to send and a word on what it is (for failure messages). */
export interface FuzzCase {
  category: string;
  body: Uint8Array;
  contentType: string;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Keys that are never part of a payload schema: prototype pollution and friends. */
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  '\u0000',
  '\u202e\u0007',
  '$where',
  '',
];

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';

const typeOf = (value: unknown): JsonType =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : (typeof value as 'string' | 'number' | 'boolean' | 'object');

/** A hostile JSON value of the given type. */
function hostileOfType(g: Gen, type: JsonType, bodyLimit: number): string {
  switch (type) {
    case 'string':
      return JSON.stringify(
        g.pick([
          () => 'x'.repeat(g.int(1000, Math.floor(bodyLimit / 3))),
          () => controlString(g),
          () => farTimestamp(g),
          () => String.fromCodePoint(g.int(0x1f600, 0x1f64f)).repeat(g.int(1, 500)),
          () => '\ud800x\udfff\udc00\ud800', // lone surrogates (written escaped)
        ])(),
      );
    case 'number':
      return g.pick(['-1', '1e308', '-0', '1e-400', '123456789012345678901234567890', '-1e308']);
    case 'boolean':
      return g.pick(['true', 'false']);
    case 'null':
      return 'null';
    case 'array': {
      if (g.bool()) {
        const n = g.int(1000, Math.floor(bodyLimit / 8));
        return `[${Array.from({ length: n }, () => g.int(0, 9)).join(',')}]`;
      }
      const depth = g.int(100, Math.min(5000, Math.floor(bodyLimit / 4)));
      return '['.repeat(depth) + ']'.repeat(depth);
    }
    case 'object':
      return g.pick([
        () => '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
        () => {
          const depth = g.int(100, Math.min(3000, Math.floor(bodyLimit / 8)));
          return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
        },
        () => '{}',
        () => JSON.stringify({ nested: { deeper: [{}, [], null] } }),
      ])();
  }
}

/** A hostile value of any type (for keys no schema knows). */
function hostileValue(g: Gen, bodyLimit: number): string {
  return hostileOfType(
    g,
    g.pick(['string', 'number', 'boolean', 'array', 'object', 'null'] as const),
    bodyLimit,
  );
}

/**
 * Seed fields whose schema takes a number, a string or a boolean (a prediction, a label): only
 * an array or an object is sure to be wrong there.
 */
const SCALAR_UNION_KEYS = new Set(['prediction', 'actual']);

/** A hostile value whose JSON type differs from `seedValue`'s: never valid where it was. */
function wrongTypeValue(g: Gen, key: string, seedValue: unknown, bodyLimit: number): string {
  const own = typeOf(seedValue);
  const others = (['string', 'number', 'boolean', 'array', 'object'] as const).filter(
    (t) =>
      t !== own &&
      !(own === 'null' && t === 'object') &&
      !(SCALAR_UNION_KEYS.has(key) && (t === 'string' || t === 'number' || t === 'boolean')),
  );
  return hostileOfType(g, g.pick(others), bodyLimit);
}

function controlString(g: Gen): string {
  let s = '';
  const n = g.int(1, 64);
  for (let i = 0; i < n; i++) s += String.fromCharCode(g.bool() ? g.int(0, 31) : g.int(0x7f, 0x9f));
  return s;
}

export function farTimestamp(g: Gen): string {
  return g.pick([
    '0001-01-01T00:00:00Z',
    '1000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2999-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '2025-02-30T25:61:61Z',
    '2025-09-03T14:30:00',
    '2025-09-03 14:30:00Z',
    '',
  ]);
}

/** Well-formed RFC 3339 times outside what ingest takes (from 2000 to a day ahead). */
export function farOnlyTimestamp(g: Gen): string {
  return g.pick([
    '0001-01-01T00:00:00Z',
    '1000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z',
    '1999-12-31T23:59:59Z',
    '9999-12-31T23:59:59Z',
    '2999-01-01T00:00:00Z',
    new Date(Date.now() + 3 * 86_400_000).toISOString(),
  ]);
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT/;
/**
 * Times that are valid anywhere: Alertmanager's "no end yet" is the zero time, and a manual
 * alert's `details` are free-form context shown as sent (document 000 section 1.3).
 */
const ANY_TIME_KEYS = new Set(['endsAt', 'last_successful_run']);

/**
 * The seed (valid) with exactly one of its timestamps replaced by a far past or future one, so
 * that timestamp is the only defect; undefined when the seed has no timestamp.
 */
function withOneFarTimestamp(g: Gen, seed: unknown): string | undefined {
  const isTime = (k: string, v: unknown) =>
    typeof v === 'string' && TIMESTAMP.test(v) && !ANY_TIME_KEYS.has(k);
  let count = 0;
  JSON.stringify(seed, (k, v: unknown) => {
    if (isTime(k, v)) count++;
    return v;
  });
  if (count === 0) return undefined;
  const target = g.int(0, count - 1);
  let seen = 0;
  return JSON.stringify(seed, (k, v: unknown) =>
    isTime(k, v) && seen++ === target ? farOnlyTimestamp(g) : v,
  );
}

/** Invalid UTF-8: stray continuation bytes, overlong forms, surrogates, 0xff. */
const BAD_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0x80],
  [0xf0, 0x9f, 0x98],
].map((b) => Uint8Array.from(b));

/** Not JSON at all, though it looks close. */
const BROKEN_JSON = [
  '{"a": NaN}',
  '{"a": Infinity}',
  '{"a": -Infinity}',
  '[NaN]',
  '{"a": 1,}',
  '{a: 1}',
  "{'a': 1}",
  '{"a": 1} // comment',
  '{"a": undefined}',
  '{"a": 0x10}',
  '{"a": .5}',
  '{"a": 01}',
  '{"a": "unterminated',
  '{"a": "tab\there"}',
  '{"a": "new\nline"}',
  '{"a": "nul\u0000"}',
  '{"a": "bad escape \\x41"}',
  '{"a": "\\u12"}',
  '{"a"}',
  '{',
  '[',
  ']',
  '\ufeff{"a": 1,}',
  '{"a": 1}{"b": 2}',
  'null',
  'true',
  '42',
  '"a string"',
  '-Infinity',
];

/**
 * A payload the endpoint must refuse: `seed` is a plausible body for it (possibly valid) that
 * is damaged so that it can no longer be valid, in one of the ways named by `category`.
 */
export function fuzzCase(g: Gen, seed: unknown, bodyLimit: number, maxBatch: number): FuzzCase {
  const json = 'application/json';
  const base = (
    typeof seed === 'object' && seed !== null && !Array.isArray(seed) ? seed : { seed: 1 }
  ) as Record<string, unknown>;
  /**
   * The seed with 1 to 3 of its fields set to a hostile value of another JSON type (so the
   * body cannot be valid, even where a schema admits unknown keys) and one hostile key added.
   */
  let hostileLength = 0;
  const damaged = (source: Record<string, unknown>): string => {
    const copy: Record<string, unknown> = structuredClone(source);
    const keys = Object.keys(copy);
    const broken: string[] = [];
    const chosen = new Set<string>();
    for (let n = g.int(1, Math.min(3, keys.length)); n > 0; n--) {
      const key = g.pick(keys.filter((k) => !chosen.has(k)));
      chosen.add(key);
      broken.push(`${JSON.stringify(key)}:${wrongTypeValue(g, key, copy[key], bodyLimit)}`);
      Reflect.deleteProperty(copy, key);
    }
    const hostile = `${JSON.stringify(g.pick(HOSTILE_KEYS))}:${hostileValue(g, bodyLimit)}`;
    hostileLength = hostile.length;
    const rest = JSON.stringify(copy).slice(1, -1);
    return `{${[hostile, ...broken, ...(rest ? [rest] : [])].join(',')}}`;
  };
  const objectJson = (): string => damaged(base);
  const category = g.pick([
    'hostile-object',
    'hostile-object',
    'hostile-object',
    'hostile-batch',
    'broken-json',
    'invalid-utf8',
    'raw-control-chars',
    'wrong-root',
    'oversized-batch',
    'too-large',
    'wrong-content-type',
    'far-timestamps',
    'far-timestamp-only',
  ]);
  switch (category) {
    case 'hostile-object':
      return { category, body: utf8(objectJson()), contentType: json };
    case 'hostile-batch': {
      const n = g.int(1, 5);
      const items = Array.from({ length: n }, () =>
        g.bool() ? objectJson() : hostileValue(g, 200),
      );
      return { category, body: utf8(`[${items.join(',')}]`), contentType: json };
    }
    case 'broken-json':
      return { category, body: utf8(g.pick(BROKEN_JSON)), contentType: json };
    case 'invalid-utf8': {
      // Inside the hostile key or value, or between tokens (not in a damaged field's key,
      // which would turn the damaged field into an unknown one some schemas admit).
      const text = objectJson();
      const at = g.int(1, Math.min(hostileLength, 200));
      const bytes = utf8(text);
      const cut = utf8(text.slice(0, at)).length;
      return {
        category,
        body: concat(bytes.slice(0, cut), g.pick(BAD_UTF8), bytes.slice(cut)),
        contentType: g.pick([json, 'application/json; charset=utf-8']),
      };
    }
    case 'raw-control-chars': {
      const text = objectJson();
      const at = g.int(1, Math.min(hostileLength, 200));
      const ch = String.fromCharCode(g.pick([0, 1, 7, 8, 11, 12, 27, 31]));
      return { category, body: utf8(text.slice(0, at) + ch + text.slice(at)), contentType: json };
    }
    case 'wrong-root':
      return {
        category,
        body: utf8(
          g.pick([
            '[]',
            '[[]]',
            '[null]',
            '[1,2,3]',
            '["a"]',
            '[true]',
            '[{}, 1]',
            '"x"',
            '0',
            'null',
            '[[{}]]',
          ]),
        ),
        contentType: json,
      };
    case 'oversized-batch':
      return {
        category,
        body: utf8(`[${Array.from({ length: maxBatch + g.int(1, 50) }, () => '{}').join(',')}]`),
        contentType: json,
      };
    case 'too-large':
      return {
        category,
        body: utf8(`{"a":"${'x'.repeat(bodyLimit + g.int(1, 4096))}"}`),
        contentType: json,
      };
    case 'wrong-content-type':
      return {
        category,
        body: utf8(objectJson()),
        contentType: g.pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/octet-stream',
        ]),
      };
    case 'far-timestamp-only': {
      const body = withOneFarTimestamp(g, seed);
      if (body !== undefined) return { category, body: utf8(body), contentType: json };
      return { category, body: utf8(objectJson()), contentType: json }; // no time to move
    }
    default: {
      // Far past and future timestamps in every time field of the seed, damaged as above.
      const far = JSON.parse(
        JSON.stringify(base, (_k, v: unknown) =>
          typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? farTimestamp(g) : v,
        ),
      ) as Record<string, unknown>;
      return { category: 'far-timestamps', body: utf8(damaged(far)), contentType: json };
    }
  }
}
