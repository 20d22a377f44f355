/**
 * The few calls tradewatch makes to Alertmanager's API v2: post alerts, create a silence, list
 * alerts (the CLI). Every call has a timeout; the outcome says whether retrying can help.
 */

/** An alert as `POST /api/v2/alerts` takes it. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface PostableSilence {
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** An alert as `GET /api/v2/alerts` answers it (the fields the CLI shows). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

/**
 * `unavailable`: unreachable, timed out or 5xx (retry later; counts against the breaker).
 * `refused`: a 4xx, Alertmanager is up and will refuse the same request again.
 */
export type CallResult<T> =
  { ok: true; value: T } | { ok: false; kind: 'unavailable' | 'refused'; message: string };

export class AlertmanagerClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  postAlerts(alerts: readonly PostableAlert[]): Promise<CallResult<void>> {
    return this.call('POST', '/api/v2/alerts', alerts, () => undefined);
  }

  createSilence(silence: PostableSilence): Promise<CallResult<string>> {
    return this.call('POST', '/api/v2/silences', silence, (body) => {
      const id = (body as { silenceID?: unknown } | null)?.silenceID;
      if (typeof id !== 'string') throw new Error('the answer holds no silenceID');
      return id;
    });
  }

  listAlerts(): Promise<CallResult<GettableAlert[]>> {
    return this.call('GET', '/api/v2/alerts', undefined, (body) => {
      if (!Array.isArray(body)) throw new Error('the answer is not a list of alerts');
      return body as GettableAlert[];
    });
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    read: (json: unknown) => T,
  ): Promise<CallResult<T>> {
    const url = `${this.base}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      return { ok: false, kind: 'unavailable', message: `${method} ${url}: ${describe(err)}` };
    }
    if (!response.ok) {
      const kind = response.status >= 500 ? 'unavailable' : 'refused';
      const detail = text.trim().slice(0, 300);
      return {
        ok: false,
        kind,
        message: `${method} ${url} answered ${response.status}: ${detail}`,
      };
    }
    try {
      return { ok: true, value: read(text === '' ? null : JSON.parse(text)) };
    } catch (err) {
      return { ok: false, kind: 'unavailable', message: `${method} ${url}: ${describe(err)}` };
    }
  }
}

/** fetch hides the reason (ECONNREFUSED, timeout) in `cause`. */
function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
