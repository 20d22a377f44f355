import { INGEST_TOKEN } from './exporter.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface PostOptions {
  /** The whole Authorization header; null sends none. Default: the test ingest token. */
  authorization?: string | null;
  /** null sends no Content-Type at all. Default: application/json. */
  contentType?: string | null;
  /** Further request headers (traceparent, X-Correlation-ID, ...). */
  headers?: Record<string, string>;
}

export const bearer = (token: string): string => `Bearer ${token}`;

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** POSTs a body exactly as given (bytes, so fetch adds no Content-Type of its own). */
export async function postRaw(
  base: string,
  path: string,
  body: string,
  options: PostOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const authorization =
    options.authorization === undefined ? bearer(INGEST_TOKEN) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const bytes = new TextEncoder().encode(body);
  return reply(await fetch(`${base}${path}`, { method: 'POST', headers, body: bytes }));
}

/** POSTs `value` serialised as JSON. */
export function postJson(
  base: string,
  path: string,
  value: unknown,
  options: PostOptions = {},
): Promise<Reply> {
  return postRaw(base, path, JSON.stringify(value), options);
}

export async function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return reply(await fetch(`${base}${path}`, { headers }));
}

export const OPENMETRICS_ACCEPT = 'application/openmetrics-text; version=1.0.0';
export const TEXT_ACCEPT = 'text/plain; version=0.0.4';

/** One scrape of `/metrics`; fails loudly unless it answers 200. */
export async function scrape(
  base: string,
  format: 'text' | 'openmetrics' = 'text',
): Promise<{ contentType: string; text: string }> {
  const response = await get(base, '/metrics', {
    accept: format === 'openmetrics' ? OPENMETRICS_ACCEPT : TEXT_ACCEPT,
  });
  if (response.status !== 200) {
    throw new Error(`GET /metrics answered ${response.status}: ${response.text}`);
  }
  return { contentType: response.headers.get('content-type') ?? '', text: response.text };
}

/** Throws (with the body) unless the reply has this status: for set-up steps. */
export function expectStatus(response: Reply, status: number, what: string): Reply {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${response.text}`);
  }
  return response;
}
