import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { INGEST_TOKEN, ISOLATION_ENV } from './exporter.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN_JS = fileURLToPath(new URL('../../exporter/dist/main.js', import.meta.url));

export interface LogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

export interface ExporterProcess {
  child: ChildProcessWithoutNullStreams;
  /** JSON log lines from stdout, as they arrive. */
  logs: LogLine[];
  stderr(): string;
  /** Resolves with the first log line whose msg is `msg`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns the built exporter (`node exporter/dist/main.js`) with a clean `TRADEWATCH_*`
 * environment: only the ingest token, 127.0.0.1, port 0 and what `env` adds.
 */
export function spawnExporter(env: Record<string, string> = {}): ExporterProcess {
  if (!existsSync(MAIN_JS)) {
    throw new Error(
      `${MAIN_JS} is missing: build the exporter first with \`npm run build\` (tsc -b exporter)`,
    );
  }
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TRADEWATCH_')),
  );
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      TRADEWATCH_INGEST_TOKEN: INGEST_TOKEN,
      TRADEWATCH_HOST: '127.0.0.1',
      TRADEWATCH_PORT: '0',
      ...ISOLATION_ENV,
      ...env,
    },
  });
  const logs: LogLine[] = [];
  const waiters: (() => void)[] = [];
  let pending = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line });
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  const waitForLog = (msg: string, timeoutMs = 10_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no log line "${msg}" within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      const check = (): void => {
        const found = logs.find((l) => l.msg === msg);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
      void exited.then(() => {
        if (!logs.some((l) => l.msg === msg)) {
          clearTimeout(timer);
          reject(new Error(`exporter exited before logging "${msg}"; stderr: ${stderr}`));
        }
      });
    });

  return { child, logs, stderr: () => stderr, waitForLog, exited };
}

/** The URL from the `tradewatch exporter listening` log line. */
export async function listeningUrl(proc: ExporterProcess): Promise<URL> {
  // Opening the embedded database takes seconds on a loaded machine.
  const line = await proc.waitForLog('tradewatch exporter listening', 30_000);
  return new URL(String(line.url));
}

/** Resolves with the error code of a fresh TCP connection attempt, or 'connected'. */
export function tryConnect(url: URL): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

export interface SlowPost {
  socket: Socket;
  /** Sends the rest of the body. */
  finish(): void;
  /** The status line, headers and body once the response is complete. */
  response: Promise<{ status: number; headers: string; body: string }>;
}

/**
 * A keep-alive HTTP/1.1 POST over a raw socket that is provably in flight: it sends the headers
 * with `Expect: 100-continue`, waits until the server answers `100 Continue` (so the server has
 * parsed them and is waiting for the body), then sends half the body. `finish()` sends the rest.
 */
export async function startSlowPost(url: URL, path: string, body: string): Promise<SlowPost> {
  const socket = connect(Number(url.port), url.hostname);
  let received = '';
  let onData: () => void = () => undefined;
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
    onData();
  });
  const until = (done: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`connection closed; received: ${received}`)));
      onData = () => {
        if (done()) resolve();
      };
      onData();
    });

  const bytes = Buffer.from(body);
  socket.write(
    [
      `POST ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      'Content-Type: application/json',
      `Authorization: Bearer ${INGEST_TOKEN}`,
      `Content-Length: ${bytes.length}`,
      'Expect: 100-continue',
      '',
      '',
    ].join('\r\n'),
  );
  await until(() => received.includes('\r\n\r\n'));
  if (!received.startsWith('HTTP/1.1 100')) throw new Error(`expected 100 Continue: ${received}`);
  received = '';
  const half = Math.floor(bytes.length / 2);
  socket.write(bytes.subarray(0, half));

  const response = until(() => {
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end))?.[1] ?? 0);
    return Buffer.byteLength(received.slice(end + 4)) >= length;
  }).then(() => {
    const end = received.indexOf('\r\n\r\n');
    const headers = received.slice(0, end);
    return {
      status: Number(headers.split(' ')[1]),
      headers,
      body: received.slice(end + 4),
    };
  });
  response.catch(() => undefined); // observed by the caller; avoid an unhandled rejection
  return { socket, finish: () => socket.write(bytes.subarray(half)), response };
}
