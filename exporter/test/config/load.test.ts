import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';

const EXAMPLE = new URL('../../config.example.yaml', import.meta.url).pathname;

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-config-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('fills every default when nothing is given', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).toBe(9473);
    expect(config.engine.daily_loss_limit_ratio).toBe(0.05);
    expect(config.rate_limit.read_requests).toBe(100);
    expect(config.ingest.tokens).toEqual([]);
  });

  it('loads the documented example, whose non-example values are the defaults', () => {
    const example = loadConfig({ file: EXAMPLE, env: {} });
    const defaults = loadConfig({ env: {} });
    expect(example.sources.expected_interval_seconds).toEqual({ polygon: 60, sentiment_feed: 900 });
    const strip = (c: typeof example) => ({
      ...c,
      ingest: {},
      alerts: {},
      sources: { ...c.sources, expected_interval_seconds: {} },
    });
    expect(strip(example)).toEqual(strip(defaults));
  });

  it('applies environment overrides over the file, with YAML-typed values', () => {
    const file = yamlFile('engine:\n  daily_loss_limit_ratio: 0.02\nserver:\n  port: 1000\n');
    const config = loadConfig({
      file,
      env: {
        TRADEWATCH_PORT: '9999',
        TRADEWATCH_ENGINE__DAILY_LOSS_LIMIT_RATIO: '0.03',
        TRADEWATCH_SOURCES__EXPECTED_INTERVAL_SECONDS: '{polygon: 30}',
        TRADEWATCH_INGEST_TOKEN: 'a-writer-token-of-32-characters!',
        UNRELATED: 'x',
      },
    });
    expect(config.server.port).toBe(9999);
    expect(config.engine.daily_loss_limit_ratio).toBe(0.03);
    expect(config.sources.expected_interval_seconds).toEqual({ polygon: 30 });
    expect(config.ingest.tokens).toEqual(['a-writer-token-of-32-characters!']);
  });

  it.each([
    [
      { TRADEWATCH_ENGINE__DAILY_LOSS_LIMIT_RATIO: 'abc' },
      /engine\.daily_loss_limit_ratio must be number/,
    ],
    [
      { TRADEWATCH_ENGINE__DAILY_LOSS_LIMIT_RATIO: '5' },
      /engine\.daily_loss_limit_ratio must be <= 1/,
    ],
    [{ TRADEWATCH_ENGINE__NO_SUCH_KEY: '1' }, /engine\.no_such_key is not an allowed key/],
    [{ TRADEWATCH_NOPE: '1' }, /nope is not an allowed key/],
    [{ TRADEWATCH_LOG_LEVEL: 'loud' }, /log\.level must be one of: fatal/],
    [
      { TRADEWATCH_INGEST_TOKEN: 'short' },
      /ingest\.tokens\[0\] must NOT have fewer than 16 characters/,
    ],
  ])('stops on %o with a message naming the key', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('names unknown keys and bad values in the file', () => {
    const file = yamlFile('server:\n  prot: 80\nengine:\n  heartbeat_interval_seconds: -1\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(/server\.prot is not an allowed key/);
    expect(() => loadConfig({ file, env: {} })).toThrow(
      /engine\.heartbeat_interval_seconds must be > 0/,
    );
  });

  it('reports an unreadable or non-mapping file', () => {
    expect(() => loadConfig({ file: '/nonexistent/tw.yaml', env: {} })).toThrow(/cannot read/);
    expect(() => loadConfig({ file: yamlFile('- a\n- b\n'), env: {} })).toThrow(/mapping/);
    expect(() => loadConfig({ file: yamlFile('a: [\n'), env: {} })).toThrow(/not valid YAML/);
  });
});

describe('parseConfig', () => {
  it('does not modify the object it is given', () => {
    const raw = { engine: { heartbeat_interval_seconds: 2 } };
    parseConfig(raw);
    expect(raw).toEqual({ engine: { heartbeat_interval_seconds: 2 } });
  });
});

describe('rate limits and trust proxy', () => {
  const TOKEN = { TRADEWATCH_WRITER_TOKEN: 'a-writer-token-of-32-characters!' };

  it('takes per-endpoint-group and per-token limits', () => {
    const config = loadConfig({
      env: {
        ...TOKEN,
        TRADEWATCH_RATE_LIMIT__ENDPOINTS: '{pipeline_status: 50, tick: 0}',
        TRADEWATCH_RATE_LIMIT__TOKENS: '{env-writer: {tick: 20000}}',
      },
    });
    expect(config.rate_limit.endpoints).toEqual({ pipeline_status: 50, tick: 0 });
    expect(config.rate_limit.tokens).toEqual({ 'env-writer': { tick: 20000 } });
    expect(loadConfig({ env: {} }).rate_limit).toMatchObject({ endpoints: {}, tokens: {} });
  });

  it.each([
    [{ TRADEWATCH_RATE_LIMIT__ENDPOINTS: '{pipeline_stats: 5}' }, /rate_limit\.endpoints/],
    [{ TRADEWATCH_RATE_LIMIT__ENDPOINTS: '{tick: -1}' }, /rate_limit\.endpoints\.tick/],
    [
      { TRADEWATCH_RATE_LIMIT__TOKENS: '{env-writer: {tick: 1}}' },
      /rate_limit\.tokens\.env-writer names no configured token/,
    ],
    [{ ...TOKEN, TRADEWATCH_RATE_LIMIT__TOKENS: '{env-writer: {tik: 1}}' }, /rate_limit\.tokens/],
    [{ TRADEWATCH_SERVER__TRUST_PROXY: '-1' }, /server\.trust_proxy/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('names legacy tokens as the audit log does', () => {
    const config = loadConfig({
      env: {
        TRADEWATCH_INGEST_TOKEN: 'a-legacy-token-of-32-characters!',
        TRADEWATCH_RATE_LIMIT__TOKENS: "{'ingest.tokens[0]': {price: 10}}",
      },
    });
    expect(config.rate_limit.tokens['ingest.tokens[0]']).toEqual({ price: 10 });
  });

  it.each([
    ['true', true],
    ['1', 1],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('reads server.trust_proxy %s', (text, value) => {
    const config = loadConfig({ env: { TRADEWATCH_SERVER__TRUST_PROXY: text } });
    expect(config.server.trust_proxy).toEqual(value);
    expect(loadConfig({ env: {} }).server.trust_proxy).toBe(false);
  });

  it('keeps the audit log 90 days by default', () => {
    expect(loadConfig({ env: {} }).storage.retention_days.audit_log).toBe(90);
  });
});
