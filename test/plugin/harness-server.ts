import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const PLUGIN_DIR = fileURLToPath(new URL('../../grafana-plugin/', import.meta.url));
const DIST = path.join(PLUGIN_DIR, 'dist');

/** Builds dist/ as CI would (webpack + swc), so the browser sees what Grafana would load. */
export function buildPlugin(): void {
  const result = spawnSync('npm', ['run', 'build', '-w', 'grafana-plugin'], {
    cwd: path.join(PLUGIN_DIR, '..'),
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`building grafana-plugin failed:\n${result.stdout}\n${result.stderr}`);
  }
}

/** The harness, bundled with the modules Grafana shares with plugins. */
async function bundleHarness(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(PLUGIN_DIR, 'test/harness/harness.tsx')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'transform',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.css': 'empty', '.svg': 'empty', '.woff': 'empty', '.woff2': 'empty' },
    logLevel: 'error',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no harness bundle');
  return file.text;
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>funnel panel harness</title>
<style>body { margin: 0; padding: 16px; }</style></head>
<body><div id="root"></div><script src="/harness.js"></script></body></html>`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface Harness {
  url: string;
  close: () => Promise<void>;
}

/** Serves the harness page, its bundle, dist/ and link targets on a loopback port. */
export async function startHarness(): Promise<Harness> {
  const bundle = await bundleHarness();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      } else if (url.pathname === '/harness.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else if (url.pathname.startsWith('/dist/')) {
        const file = path.join(DIST, path.normalize(url.pathname.slice('/dist/'.length)));
        if (!file.startsWith(DIST)) return void res.writeHead(403).end();
        try {
          const body = await readFile(file);
          res.writeHead(200, {
            'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          });
          res.end(body);
        } catch {
          res.writeHead(404).end();
        }
      } else if (/^\/(trace|logs)\//.test(url.pathname)) {
        // Where the data links lead: a page naming what was asked for.
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>${url.pathname}</h1>`);
      } else {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
