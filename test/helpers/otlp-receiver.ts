import { createServer, type Server } from 'node:http';

/** What an OTLP/HTTP JSON request carries that the tests look at. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
export interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

/**
 * A minimal OTLP/HTTP receiver (JSON encoding) on loopback: keeps what it is sent, and answers
 * each request after `replyDelayMs` (a slow collector, so spans queue up in the exporter).
 */
export class OtlpReceiver {
  readonly requests: OtlpRequest[] = [];
  url = '';
  private readonly server: Server;

  constructor(replyDelayMs = 0) {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') this.requests.push(JSON.parse(body) as OtlpRequest);
        const reply = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        if (replyDelayMs > 0) setTimeout(reply, replyDelayMs);
        else reply();
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  spans(): OtlpSpan[] {
    return this.requests.flatMap((r) =>
      r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)),
    );
  }

  serviceNames(): string[] {
    return this.requests.flatMap((r) =>
      r.resourceSpans.flatMap((rs) =>
        rs.resource.attributes
          .filter((a) => a.key === 'service.name')
          .map((a) => a.value.stringValue ?? ''),
      ),
    );
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
