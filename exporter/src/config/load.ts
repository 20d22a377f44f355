import { readFileSync } from 'node:fs';
import { hashToken } from '../security/tokens.js';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { toFieldError } from '../validation.js';
import { ConfigSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Short environment names for the settings people change most. */
const ENV_ALIASES: Record<string, string[]> = {
  TRADEWATCH_PORT: ['server', 'port'],
  TRADEWATCH_HOST: ['server', 'host'],
  TRADEWATCH_LOG_LEVEL: ['log', 'level'],
};
/** Read elsewhere, not config paths. */
const ENV_NOT_PATHS = new Set(['TRADEWATCH_CONFIG', 'TRADEWATCH_INGEST_TOKEN']);
/**
 * Plain tokens from the environment, or from a file named by `<NAME>_FILE` (a container
 * secret): hashed here, so the configuration only ever holds hashes.
 */
const ROLE_TOKENS = {
  TRADEWATCH_ADMIN_TOKEN: 'admin',
  TRADEWATCH_WRITER_TOKEN: 'writer',
  TRADEWATCH_READER_TOKEN: 'reader',
} as const;
for (const name of [...Object.keys(ROLE_TOKENS), 'TRADEWATCH_INGEST_TOKEN']) {
  ENV_NOT_PATHS.add(name);
  ENV_NOT_PATHS.add(`${name}_FILE`);
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: true, strictNumbers: true });
const validate = ajv.compile<Config>(ConfigSchema);

export interface LoadOptions {
  /** YAML file path; defaults to $TRADEWATCH_CONFIG, else none (all defaults). */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Builds the configuration from an optional YAML file and `TRADEWATCH_*` overrides, where
 * `__` separates levels: `TRADEWATCH_ENGINE__DAILY_LOSS_LIMIT_RATIO=0.03`. Values are parsed
 * as YAML scalars, so numbers, booleans and `[a, b]` lists work. Anything unknown or invalid
 * throws a ConfigError naming it.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.TRADEWATCH_CONFIG;
  const raw: Record<string, unknown> = file ? readYaml(file) : {};

  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TRADEWATCH_') || ENV_NOT_PATHS.has(name) || value === undefined) continue;
    const path =
      ENV_ALIASES[name] ??
      name
        .slice('TRADEWATCH_'.length)
        .toLowerCase()
        .split('__')
        .filter((p) => p.length > 0);
    setPath(raw, path, parseYaml(value) as unknown, name);
  }

  for (const [name, role] of Object.entries(ROLE_TOKENS)) {
    const plain = secret(env, name);
    if (!plain) continue;
    if (plain.length < 16) throw new ConfigError(`${name} must be at least 16 characters`);
    const auth = (raw.auth ??= {}) as Record<string, unknown>;
    if (typeof auth !== 'object' || Array.isArray(auth)) continue;
    const tokens = Array.isArray(auth.tokens) ? (auth.tokens as unknown[]) : [];
    const envName = `env-${role}`;
    auth.tokens = [...tokens, { name: envName, role, hash: hashToken(plain) }];
  }

  const token = secret(env, 'TRADEWATCH_INGEST_TOKEN');
  if (token) {
    const ingest = (raw.ingest ??= {}) as Record<string, unknown>;
    const tokens = Array.isArray(ingest.tokens) ? ingest.tokens : [];
    ingest.tokens = [...tokens, token];
  }

  // The usual name for a PostgreSQL connection string, taken as is (not parsed as YAML).
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    const storage = (raw.storage ??= {}) as Record<string, unknown>;
    if (typeof storage === 'object' && !Array.isArray(storage)) storage.database_url = databaseUrl;
  }

  return parseConfig(raw, file ? ` in ${file} or the environment` : ' in the environment');
}

/** `env[name]`, else the contents of the file `env[name_FILE]` (trailing newline dropped). */
function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value) return value;
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(`cannot read ${name}_FILE ${file}: ${(err as Error).message}`);
  }
}

/** Validates a configuration object and fills in defaults (the SDK passes one directly). */
export function parseConfig(raw: unknown, where = ''): Config {
  const copy: unknown = structuredClone(raw ?? {});
  if (!validate(copy)) {
    const messages = (validate.errors ?? [])
      .map(toFieldError)
      .map((e) => `${e.field} ${e.message}`);
    throw new ConfigError(`invalid configuration${where}:\n  ${messages.join('\n  ')}`);
  }
  const unknownTokens = unknownLimitTokens(copy);
  if (unknownTokens.length > 0) {
    const names = unknownTokens.map((n) => `rate_limit.tokens.${n}`).join(', ');
    throw new ConfigError(`invalid configuration${where}:\n  ${names} names no configured token`);
  }
  return copy;
}

/** Per-token rate limits naming a token that does not exist (a typo would silently not apply). */
function unknownLimitTokens(config: Config): string[] {
  const names = new Set(config.auth.tokens.map((t) => t.name));
  config.ingest.tokens.forEach((_, i) => names.add(`ingest.tokens[${i}]`));
  return Object.keys(config.rate_limit.tokens).filter((n) => !names.has(n));
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `configuration file ${file} is not valid YAML: ${(err as Error).message}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`configuration file ${file} must hold a mapping at the top level`);
  }
  return parsed as Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown, source: string) {
  if (path.length === 0) throw new ConfigError(`${source} names no configuration key`);
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new ConfigError(`${source}: ${key} is not a section`);
    }
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}
