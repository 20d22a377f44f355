import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatLabels } from './table.js';

export interface TailOptions {
  dir: string;
  /** Lines of the newest file shown first. */
  lines: number;
  follow: boolean;
  json: boolean;
  write: (text: string) => void;
  pollMs?: number;
}

/**
 * `tradewatch alerts tail`: the last lines of the newest `<date>.jsonl`, then what is appended,
 * moving to the next day's file when it appears. Only whole lines are printed.
 */
export async function tailAlerts(o: TailOptions): Promise<void> {
  let file = await newestLog(o.dir);
  let offset = 0;
  if (file) {
    const text = await readFrom(file, 0);
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    offset = Buffer.byteLength(complete);
    const lines = complete.split('\n').filter((l) => l !== '');
    for (const line of lines.slice(lines.length - o.lines)) o.write(render(line, o.json));
  }
  while (o.follow) {
    await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    const newest = await newestLog(o.dir);
    if (newest && newest !== file) {
      if (file) offset = await printFrom(file, offset, o); // the rest of the old day first
      file = newest;
      offset = 0;
    }
    if (file) offset = await printFrom(file, offset, o);
  }
}

async function printFrom(file: string, offset: number, o: TailOptions): Promise<number> {
  const text = await readFrom(file, offset);
  const end = text.lastIndexOf('\n') + 1;
  for (const line of text.slice(0, end).split('\n')) if (line !== '') o.write(render(line, o.json));
  return offset + Buffer.byteLength(text.slice(0, end));
}

async function newestLog(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const logs = names.filter((n) => /^\d{4}-\d\d-\d\d\.jsonl$/.test(n)).sort();
  return logs.length === 0 ? undefined : join(dir, logs[logs.length - 1] as string);
}

async function readFrom(file: string, offset: number): Promise<string> {
  const size = (await stat(file)).size;
  if (size <= offset) return '';
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** A log line for a person: time, severity, rule, status, message (JSON as is with --json). */
function render(line: string, json: boolean): string {
  if (json) return line;
  try {
    const a = JSON.parse(line) as {
      timestamp: string;
      severity: string;
      rule: string;
      message: string;
      acknowledged: boolean;
      context?: { status?: string; labels?: Record<string, string>; acknowledged_by?: string };
    };
    const status = a.context?.acknowledged_by
      ? `acknowledged by ${a.context.acknowledged_by}`
      : (a.context?.status ?? '');
    // The rule and severity are printed already; the other labels say which series it is.
    const labels = Object.fromEntries(
      Object.entries(a.context?.labels ?? {}).filter(
        ([k]) => k !== 'alertname' && k !== 'severity',
      ),
    );
    return `${a.timestamp}  ${a.severity.padEnd(8)}  ${a.rule}  [${status}]  ${a.message}  ${formatLabels(labels)}`.trimEnd();
  } catch {
    return line;
  }
}
