import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../exporter/src/config/load.js';
import { hashToken, legacyRole, TokenRegistry } from '../../exporter/src/security/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'tw-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tokens in the configuration', () => {
  it('hashes environment tokens at load: the configuration never holds them plain', () => {
    const secret = join(dir, 'writer');
    writeFileSync(secret, 'a-writer-token-from-a-file-01\n');
    const config = loadConfig({
      env: {
        TRADEWATCH_ADMIN_TOKEN: 'an-admin-token-of-32-characters!',
        TRADEWATCH_WRITER_TOKEN_FILE: secret,
      },
    });
    expect(config.auth.tokens).toEqual([
      { name: 'env-admin', role: 'admin', hash: hashToken('an-admin-token-of-32-characters!') },
      { name: 'env-writer', role: 'writer', hash: hashToken('a-writer-token-from-a-file-01') },
    ]);
    expect(JSON.stringify(config)).not.toContain('an-admin-token');
    const tokens = TokenRegistry.fromConfig(config);
    expect(tokens.identify('a-writer-token-from-a-file-01')).toEqual({
      name: 'env-writer',
      role: 'writer',
    });
    expect(tokens.identify('a-writer-token-from-a-file-01\n')).toBeUndefined();
  });

  it('reads TRADEWATCH_INGEST_TOKEN_FILE as the legacy token', () => {
    const secret = join(dir, 'ingest');
    writeFileSync(secret, 'a-legacy-token-from-a-file-1');
    const config = loadConfig({ env: { TRADEWATCH_INGEST_TOKEN_FILE: secret } });
    expect(config.ingest.tokens).toEqual(['a-legacy-token-from-a-file-1']);
    expect(legacyRole(config)).toBe('admin');
  });

  it('refuses short environment tokens and unreadable secret files', () => {
    expect(() => loadConfig({ env: { TRADEWATCH_READER_TOKEN: 'short' } })).toThrow(ConfigError);
    expect(() =>
      loadConfig({ env: { TRADEWATCH_ADMIN_TOKEN_FILE: join(dir, 'missing') } }),
    ).toThrow(/TRADEWATCH_ADMIN_TOKEN_FILE/);
  });

  it('accepts sha256 and scrypt hashes, and refuses anything else', () => {
    const scrypt = hashToken('a-chosen-secret-1234', 'scrypt');
    expect(scrypt).toMatch(/^scrypt:16384:8:1:[0-9a-f]{32}:[0-9a-f]{64}$/);
    const config = loadConfig({
      env: {
        TRADEWATCH_AUTH__TOKENS: JSON.stringify([{ name: 'ops', role: 'reader', hash: scrypt }]),
      },
    });
    const tokens = TokenRegistry.fromConfig(config);
    expect(tokens.identify('a-chosen-secret-1234')?.role).toBe('reader');
    expect(tokens.identify('a-chosen-secret-1235')).toBeUndefined();
    for (const hash of ['md5:abc', 'sha256:XYZ', 'plain-token-of-sixteen']) {
      expect(() =>
        loadConfig({
          env: { TRADEWATCH_AUTH__TOKENS: JSON.stringify([{ name: 'x', role: 'admin', hash }]) },
        }),
      ).toThrow(/auth\.tokens/);
    }
    expect(() =>
      loadConfig({
        env: {
          TRADEWATCH_AUTH__TOKENS: JSON.stringify([
            { name: 'x', role: 'root', hash: hashToken('x') },
          ]),
        },
      }),
    ).toThrow(/role/);
  });
});
