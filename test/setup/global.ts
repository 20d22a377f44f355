import { spawnSync } from 'node:child_process';

/**
 * vitest globalSetup: the cross-component tests lint every scrape with `promtool`, so it must
 * be on PATH. As root it is installed from the distribution (Debian/Ubuntu ship it in the
 * `prometheus` package); otherwise, or if that fails, the run stops with what to do.
 * Never skips silently: a test run without promtool would prove nothing about the exposition.
 */
function promtoolVersion(): string | undefined {
  const result = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.split('\n')[0];
}

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
 * The alerting tests check and run the Alertmanager configuration with amtool and
 * prometheus-alertmanager (Debian package prometheus-alertmanager), installed the same way.
 */
function ensureAlertmanager(): void {
  const present = () =>
    ['amtool', 'prometheus-alertmanager'].every(
      (c) => spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0,
    );
  if (present()) return;
  if (process.getuid?.() === 0) {
    process.stderr.write('test setup: amtool not found; installing prometheus-alertmanager\n');
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus-alertmanager']);
    if (present()) return;
  }
  throw new Error(
    'amtool and prometheus-alertmanager are not on PATH; the tests in test/alerting need them.\n' +
      'Install them with `sudo apt-get install -y prometheus-alertmanager` (Debian/Ubuntu).',
  );
}

export default function setup(): void {
  ensureAlertmanager();
  if (promtoolVersion()) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    process.stderr.write('test setup: promtool not found; installing the prometheus package\n');
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus']);
    if (promtoolVersion()) return;
  }
  throw new Error(
    [
      'promtool (the Prometheus command-line tool) is not on PATH' +
        (isRoot
          ? ', and `apt-get install -y --no-install-recommends prometheus` did not provide it.'
          : '.'),
      'The tests in test/ lint every scrape with `promtool check metrics` and cannot run without it.',
      'Install it with `sudo apt-get install -y prometheus` (Debian/Ubuntu: it ships /usr/bin/promtool),',
      'or put the promtool binary of a release from https://prometheus.io/download/ on PATH.',
    ].join('\n'),
  );
}
