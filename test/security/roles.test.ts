import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, type Role } from '../../exporter/src/security/tokens.js';
import { INGEST_TOKEN, startExporter, type TestExporter } from '../helpers/exporter.js';
import { bearer, get, postJson } from '../helpers/http.js';
import { mountedRoutes, type MountedRoute } from './routes.js';
import { ADMIN_TOKEN, READER_TOKEN, ROLE_ENV, WRITER_TOKEN } from './tokens.js';

/** Configured hashed in YAML, not through the environment. */
const HASHED_ADMIN = 'tw-test-hashed-admin-token-42';
const SCRYPT_READER = 'tw-test-scrypt-reader-token-7';

/**
 * The role of every route: the one place a reader of the tests sees the decision (the routes
 * state it through `ctx.write`, `ctx.admin`, `ctx.read` and `ctx.adminRead`). `open`: no token
 * ever. A route missing here, or here but not mounted, fails the test: a new route needs a
 * decision.
 */
const ROUTE_ROLES: Record<string, Role | 'open'> = {
  'GET /healthz': 'open',
  'GET /readyz': 'open',
  'POST /v1/pipeline-runs': 'writer',
  'GET /v1/pipeline-runs': 'reader',
  'GET /monitoring/discovery/pipeline': 'reader',
  'POST /v1/ticks': 'writer',
  'POST /v1/sources/:name/heartbeat': 'writer',
  'POST /v1/prices': 'writer',
  'GET /api/tracing/correlation/:id': 'reader',
  'GET /v1/audit': 'admin',
  'POST /v1/recommendations': 'writer',
  'GET /v1/recommendations/:tracking_id': 'reader',
  'GET /learning/missed-opportunities': 'reader',
  'POST /v1/predictions': 'writer',
  'POST /v1/outcomes': 'writer',
  'POST /v1/models/:model/baseline': 'admin',
  'POST /v1/models/:model/importance': 'admin',
  'POST /v1/rankings': 'writer',
  'GET /v1/rankings/quality': 'reader',
  'GET /dip-detection/portfolio-analysis': 'reader',
  'POST /alerts/webhook': 'writer',
  'GET /alerts/dashboard': 'reader',
  'GET /alerts/history': 'reader',
  'POST /alerts/:id/ack': 'admin',
  'POST /v1/alerts': 'admin',
  'GET /v1/alerts/queued': 'reader',
};

const concrete = (path: string): string =>
  path
    .replace(':model', 'fuzz_model')
    .replace(':tracking_id', 'trk_1')
    .replace(':name', 'polygon')
    .replace(':id', '1');

const TOKENS: Record<'none' | Role, string | undefined> = {
  none: undefined,
  reader: READER_TOKEN,
  writer: WRITER_TOKEN,
  admin: ADMIN_TOKEN,
};
const STRENGTH = { none: -1, reader: 0, writer: 1, admin: 2 } as const;

async function call(tw: TestExporter, route: MountedRoute, token: string | undefined) {
  const path = concrete(route.path);
  if (route.method === 'POST') {
    return postJson(tw.url, path, {}, { authorization: token ? bearer(token) : null });
  }
  return get(tw.url, path, token ? { authorization: bearer(token) } : {});
}

describe.each([
  { requireReader: false, name: 'reads open (default)' },
  { requireReader: true, name: 'auth.require_reader: true' },
])('every route with every role and no token: $name', ({ requireReader }) => {
  let tw: TestExporter;
  beforeAll(async () => {
    tw = await startExporter({
      ...ROLE_ENV,
      ...(requireReader ? { TRADEWATCH_AUTH__REQUIRE_READER: 'true' } : {}),
    });
  });
  afterAll(() => tw?.close());

  it('mounts exactly the routes of the table, each with the role the table states', () => {
    const routes = mountedRoutes(tw);
    const found = Object.fromEntries(
      routes.map((r) => [r.key, r.check ? r.check.role : ('open' as const)]),
    );
    expect(found).toEqual(ROUTE_ROLES);
    for (const r of routes) {
      if (r.check?.role === 'reader') expect(r.check.enforced).toBe(requireReader);
      else if (r.check) expect(r.check.enforced).toBe(true);
    }
  });

  it('answers 401 without a token and 403 for a weaker role where the role is enforced', async () => {
    const failures: string[] = [];
    const jobs = mountedRoutes(tw).flatMap((route) =>
      (Object.keys(TOKENS) as (keyof typeof TOKENS)[]).map(async (who) => {
        const needed = ROUTE_ROLES[route.key] as Role | 'open';
        const enforced = needed !== 'open' && (needed !== 'reader' || requireReader);
        const reply = await call(tw, route, TOKENS[who]);
        const expected = !enforced
          ? 'allowed'
          : who === 'none'
            ? 401
            : STRENGTH[who] < STRENGTH[needed as Role]
              ? 403
              : 'allowed';
        const ok =
          expected === 'allowed'
            ? reply.status !== 401 && reply.status !== 403 && reply.status < 500
            : reply.status === expected &&
              typeof (reply.json as { error?: unknown }).error === 'string';
        if (!ok)
          failures.push(`${route.key} as ${who}: ${reply.status} ${reply.text.slice(0, 120)}`);
      }),
    );
    await Promise.all(jobs);
    expect(failures).toEqual([]);
  });
});

describe('legacy ingest tokens', () => {
  it('carry the admin role while no admin token is configured (one token does everything)', async () => {
    const tw = await startExporter({ TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '0' });
    try {
      const reply = await postJson(tw.url, '/v1/models/m/baseline', {});
      expect(reply.status).toBe(400); // past authentication: the body is invalid
      expect((await get(tw.url, '/v1/audit')).status).toBe(401);
      expect((await get(tw.url, '/v1/audit', { authorization: bearer(INGEST_TOKEN) })).status).toBe(
        200,
      );
    } finally {
      await tw.close();
    }
  });

  it('are writers once an admin token exists, or as auth.legacy_tokens_role says', async () => {
    const envs: Record<string, string>[] = [
      { TRADEWATCH_ADMIN_TOKEN: ADMIN_TOKEN },
      { TRADEWATCH_AUTH__LEGACY_TOKENS_ROLE: 'writer' },
    ];
    for (const env of envs) {
      const tw = await startExporter(env);
      try {
        expect((await postJson(tw.url, '/v1/models/m/baseline', {})).status).toBe(403);
        expect((await postJson(tw.url, '/v1/predictions', {})).status).toBe(400);
      } finally {
        await tw.close();
      }
    }
  });
});

describe('hashed tokens in the configuration', () => {
  let tw: TestExporter;
  beforeAll(async () => {
    const tokens = [
      { name: 'ops', role: 'admin', hash: hashToken(HASHED_ADMIN) },
      { name: 'grafana', role: 'reader', hash: hashToken(SCRYPT_READER, 'scrypt') },
    ];
    tw = await startExporter({
      TRADEWATCH_AUTH__TOKENS: JSON.stringify(tokens),
      TRADEWATCH_AUTH__REQUIRE_READER: 'true',
    });
  });
  afterAll(() => tw?.close());

  it('accepts a sha256-hashed admin token and a scrypt-hashed reader token by their roles', async () => {
    const admin = { authorization: bearer(HASHED_ADMIN) };
    const reader = { authorization: bearer(SCRYPT_READER) };
    expect((await get(tw.url, '/v1/audit', admin)).status).toBe(200);
    expect((await get(tw.url, '/v1/pipeline-runs', reader)).status).toBe(200);
    expect((await get(tw.url, '/v1/pipeline-runs', reader)).status).toBe(200); // cached check
    expect((await get(tw.url, '/v1/audit', reader)).status).toBe(403);
    expect(
      (await get(tw.url, '/v1/pipeline-runs', { authorization: bearer('x'.repeat(20)) })).status,
    ).toBe(403);
    // The legacy token is a writer now that an admin token exists.
    expect((await postJson(tw.url, '/v1/models/m/baseline', {})).status).toBe(403);
  });

  it('refuses a plain token where a hash belongs', async () => {
    await expect(
      startExporter({
        TRADEWATCH_AUTH__TOKENS: JSON.stringify([{ name: 'x', role: 'admin', hash: HASHED_ADMIN }]),
      }),
    ).rejects.toThrow(/auth\.tokens/);
  });
});

describe('/metrics authentication', () => {
  let tw: TestExporter;
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  beforeAll(async () => {
    tw = await startExporter({
      ...ROLE_ENV,
      TRADEWATCH_AUTH__METRICS__REQUIRE_AUTH: 'true',
      TRADEWATCH_AUTH__METRICS__BASIC_AUTH: JSON.stringify([
        { username: 'prometheus', password_hash: hashToken('scrape-password-123') },
      ]),
    });
  });
  afterAll(() => tw?.close());

  it('is open by default', async () => {
    const open = await startExporter();
    try {
      expect((await get(open.url, '/metrics')).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('needs a bearer token of any role or a basic user when required', async () => {
    const none = await get(tw.url, '/metrics');
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ error: 'unauthorized' });
    expect(none.headers.get('www-authenticate')).toMatch(/Basic/);
    expect((await get(tw.url, '/metrics?x=1')).status).toBe(401);
    for (const token of [READER_TOKEN, WRITER_TOKEN, ADMIN_TOKEN]) {
      expect((await get(tw.url, '/metrics', { authorization: bearer(token) })).status).toBe(200);
    }
    const good = await get(tw.url, '/metrics', {
      authorization: basic('prometheus', 'scrape-password-123'),
    });
    expect(good.status).toBe(200);
    expect(good.text).toMatch(/^# HELP /m);
    for (const authorization of [
      basic('prometheus', 'wrong-password-000'),
      basic('grafana', 'scrape-password-123'),
      bearer('not-a-configured-token-1'),
      'Basic !!!',
    ]) {
      expect((await get(tw.url, '/metrics', { authorization })).status).toBe(401);
    }
    // Health checks stay open.
    expect((await get(tw.url, '/healthz')).status).toBe(200);
  });
});
