import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_TYPES, negotiateFormat } from '../metrics/exposition.js';
import type { MetricRegistry } from '../metrics/registry.js';

/**
 * Expositions up to this size are sent in one write with a Content-Length: a 1,000-series scrape
 * (about 100 KiB) then costs one send instead of chunked pieces and a terminating chunk.
 */
const SINGLE_WRITE_CHARACTERS = 256 * 1024;

/**
 * `GET /metrics`: the text format, or OpenMetrics 1.0 when the scraper asks for it. A small
 * exposition is sent whole; a bigger one is streamed in slices as it is rendered, honouring
 * socket back-pressure, so a big scrape neither stalls the event loop nor buffers the whole
 * exposition twice. A plain `node:http` handler: the server answers scrapes before express sees
 * them (express costs a scrape of 1,000 series about a quarter).
 */
export function metricsEndpoint(
  registry: MetricRegistry,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const format = negotiateFormat(req.headers.accept);
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.setHeader('Cache-Control', 'no-store');
    // Chunks wait here until the exposition is known to be small (it ended) or big (it grew
    // past SINGLE_WRITE_CHARACTERS: from then on every chunk is written as it comes).
    let held: string[] | undefined = [];
    let heldCharacters = 0;
    const write = async (chunk: string): Promise<void> => {
      if (chunk.length === 0 || res.destroyed) return;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    };
    await registry.render(format, async (chunk) => {
      if (!held) return write(chunk);
      held.push(chunk);
      heldCharacters += chunk.length;
      if (heldCharacters < SINGLE_WRITE_CHARACTERS) return;
      const pieces = held;
      held = undefined;
      await write(pieces.join(''));
    });
    if (!held) {
      res.end();
      return;
    }
    const body = held.join('');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  };
}

/** Whether a request is a scrape: `GET` (or `HEAD`) `/metrics`, with or without a query. */
export function isScrape(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const method = req.method;
  return (
    (method === 'GET' || method === 'HEAD') && (url === '/metrics' || url.startsWith('/metrics?'))
  );
}
