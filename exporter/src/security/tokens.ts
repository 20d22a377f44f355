import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema.js';

/**
 * Roles, weakest first: each role may do what the ones before it may (an admin token can
 * ingest, a writer token can read). docs/security.md lists the role of every route.
 */
export const ROLES = ['reader', 'writer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleAllows = (held: Role, needed: Role): boolean =>
  ROLES.indexOf(held) >= ROLES.indexOf(needed);

/** Who sent a request: a token's name and role (never the token). */
export interface Identity {
  readonly name: string;
  readonly role: Role;
}

/**
 * A token hash as kept in the configuration:
 * - `sha256:<64 hex digits>`: for generated tokens (high entropy), checked in microseconds;
 * - `scrypt:<N>:<r>:<p>:<salt hex>:<hash hex>`: for chosen, weaker secrets; checked once per
 *   distinct token (the outcome is cached), costing a few tens of milliseconds.
 */
export const TOKEN_HASH_PATTERN =
  '^(sha256:[0-9a-f]{64}|scrypt:[0-9]{1,7}:[0-9]{1,2}:[0-9]{1,2}:[0-9a-f]{16,128}:[0-9a-f]{32,256})$';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export function hashToken(token: string, kind: 'sha256' | 'scrypt' = 'sha256'): string {
  if (kind === 'sha256') return `sha256:${sha256(token).toString('hex')}`;
  const salt = randomBytes(16);
  const hash = scryptSync(token, salt, 32, { N: 16384, r: 8, p: 1 });
  return `scrypt:16384:8:1:${salt.toString('hex')}:${hash.toString('hex')}`;
}

interface ScryptEntry {
  identity: Identity;
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Outcomes of scrypt checks kept at most (a flood of wrong tokens evicts the oldest). */
const SCRYPT_CACHE_SIZE = 1000;

/**
 * The tokens the exporter accepts, each with its identity. Plain tokens never reach this from
 * a configuration file: `loadConfig` hashes those of the environment and of secret files (and
 * keeps the legacy `ingest.tokens`, which are plain, for compatibility).
 */
export class TokenRegistry {
  private readonly digests: { digest: Buffer; identity: Identity }[] = [];
  private readonly scrypt: ScryptEntry[] = [];
  private readonly scryptCache = new Map<string, Identity | null>();

  constructor(entries: readonly { name: string; role: Role; hash: string }[]) {
    for (const entry of entries) {
      const identity: Identity = { name: entry.name, role: entry.role };
      const [kind, ...parts] = entry.hash.split(':');
      if (kind === 'sha256') {
        this.digests.push({ digest: Buffer.from(parts[0] as string, 'hex'), identity });
      } else if (kind === 'scrypt') {
        const [N, r, p, salt, hash] = parts as [string, string, string, string, string];
        this.scrypt.push({
          identity,
          N: Number(N),
          r: Number(r),
          p: Number(p),
          salt: Buffer.from(salt, 'hex'),
          hash: Buffer.from(hash, 'hex'),
        });
      } else {
        throw new Error(`token ${entry.name}: unknown hash kind ${String(kind)}`);
      }
    }
  }

  static fromConfig(config: Config): TokenRegistry {
    const entries = [...config.auth.tokens];
    const legacy = legacyRole(config);
    config.ingest.tokens.forEach((token, i) =>
      entries.push({ name: `ingest.tokens[${i}]`, role: legacy, hash: hashToken(token) }),
    );
    return new TokenRegistry(entries);
  }

  get size(): number {
    return this.digests.length + this.scrypt.length;
  }

  /** The identity of a token, or undefined when it is not accepted. */
  identify(token: string): Identity | undefined {
    const offered = sha256(token);
    let found: Identity | undefined;
    // Every digest is compared (timingSafeEqual), so timing tells nothing about which matched.
    for (const { digest, identity } of this.digests) {
      if (timingSafeEqual(digest, offered) && !found) found = identity;
    }
    if (found || this.scrypt.length === 0) return found;
    const key = offered.toString('hex');
    const cached = this.scryptCache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let match: Identity | null = null;
    for (const e of this.scrypt) {
      const hash = scryptSync(token, e.salt, e.hash.length, {
        N: e.N,
        r: e.r,
        p: e.p,
        maxmem: 256 * e.N * e.r + 1024 * 1024,
      });
      if (timingSafeEqual(hash, e.hash) && !match) match = e.identity;
    }
    if (this.scryptCache.size >= SCRYPT_CACHE_SIZE) {
      this.scryptCache.delete(this.scryptCache.keys().next().value as string);
    }
    this.scryptCache.set(key, match);
    return match ?? undefined;
  }
}

/**
 * The role of the legacy `ingest.tokens` (and TRADEWATCH_INGEST_TOKEN). `auto`: admin while no
 * admin token is configured (one token does everything, as before roles existed), else writer.
 */
export function legacyRole(config: Config): Role {
  const setting = config.auth.legacy_tokens_role;
  if (setting !== 'auto') return setting;
  return config.auth.tokens.some((t) => t.role === 'admin') ? 'writer' : 'admin';
}

/** Checks a Basic `user:password` against the configured scrape users. */
export class BasicUsers {
  private readonly users: Map<string, TokenRegistry>;

  constructor(entries: readonly { username: string; password_hash: string }[]) {
    this.users = new Map();
    for (const e of entries) {
      this.users.set(
        e.username,
        new TokenRegistry([{ name: `basic:${e.username}`, role: 'reader', hash: e.password_hash }]),
      );
    }
  }

  get size(): number {
    return this.users.size;
  }

  check(username: string, password: string): Identity | undefined {
    return this.users.get(username)?.identify(password);
  }
}
