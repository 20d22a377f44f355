import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { logFileName, type AlertLogLine } from './record.js';

/**
 * The append-only alert log (document 001): `<dir>/<UTC date>.jsonl`, one JSON object a line.
 * Lines of one call are written with a single append, so a reader (`tradewatch alerts tail`)
 * never sees half of a notification.
 */
export class AlertLog {
  private ready: Promise<unknown> | undefined;

  constructor(readonly dir: string) {}

  async append(lines: readonly AlertLogLine[], at: Date): Promise<void> {
    if (lines.length === 0) return;
    this.ready ??= mkdir(this.dir, { recursive: true }).catch((err: unknown) => {
      this.ready = undefined; // try again next time (the directory may be created meanwhile)
      throw err;
    });
    await this.ready;
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    try {
      await appendFile(join(this.dir, logFileName(at)), text, 'utf8');
    } catch (err) {
      this.ready = undefined; // the directory may have been removed: create it again next time
      throw err;
    }
  }
}
