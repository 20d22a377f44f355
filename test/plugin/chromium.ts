import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error || result.status !== 0) {
    process.stderr.write(
      `test setup: \`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`})\n`,
    );
  }
}

/**
 * The browser test drives Debian's chromium (playwright's own browser builds cannot be
 * downloaded here). As root it is installed when missing; otherwise the run stops saying
 * how to get it. Never skips: a panel never seen in a browser is not tested.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    process.stderr.write('test setup: chromium not found; installing the Debian package\n');
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', 'chromium']);
    if (existsSync(CHROMIUM)) return;
  }
  throw new Error(
    [
      `${CHROMIUM} is missing` +
        (isRoot ? ', and `apt-get install -y chromium` did not provide it.' : '.'),
      'The funnel panel browser test renders the built plugin in Chromium and cannot run without it.',
      'Install it with `sudo apt-get install -y chromium` (Debian) or run `.ci/run`, which does.',
    ].join('\n'),
  );
}

/** A headless Chromium with a fresh profile, quiet on the network (no updates, sync, QUIC). */
export async function launchChromium(): Promise<BrowserContext> {
  const profile = mkdtempSync(path.join(tmpdir(), 'tradewatch-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 820, height: 440 },
    deviceScaleFactor: 1,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
