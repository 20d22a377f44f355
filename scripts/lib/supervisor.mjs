// Shared by scripts/demo.mjs and scripts/stack.mjs: starts child processes, waits for their
// HTTP endpoints, and stops all of them together (on Ctrl-C or SIGTERM, or when one of them
// dies on its own), then runs the clean-ups and exits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXPORTER = fileURLToPath(new URL('../../exporter/dist/main.js', import.meta.url));
export const SIMULATOR = fileURLToPath(
  new URL('../../exporter/dist/simulator/main.js', import.meta.url),
);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value of `--name value` or `--name=value` in args (the last one wins, as in parseArgs). */
export function optionValue(args, name) {
  let value;
  args.forEach((arg, i) => {
    if (arg === name) value = args[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

/** Whether the built exporter and simulator are there; with `build`, runs `npm run build` first if not. */
export function ensureBuilt(label, { build = false } = {}) {
  const missing = () => [EXPORTER, SIMULATOR].filter((file) => !existsSync(file));
  if (missing().length > 0 && build) {
    console.error(`${label}: building the exporter (npm run build)`);
    spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  for (const file of missing()) {
    console.error(`${label}: ${file} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}

/** A free TCP port on 127.0.0.1 (for programs that cannot report the port they got for 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A group of child processes that live and die together. `label` prefixes its messages.
 * `start` spawns one (stdout and stderr inherited); if one exits while the group is not
 * stopping, the others are stopped and the process exits non-zero. `stop(code)` sends SIGTERM
 * to all, SIGKILL after `stopTimeoutMs`, waits for every exit, runs the clean-ups registered
 * with `onStop` and exits with `code`.
 */
export function createSupervisor(label, { stopTimeoutMs = 10_000 } = {}) {
  const children = new Map();
  const cleanups = [];
  let stopping = false;

  function start(name, command, args, { env = process.env, cwd } = {}) {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    children.set(name, { child, exited });
    void exited.then(async ({ code, signal }) => {
      children.delete(name);
      // On Ctrl-C the terminal signals the children too: give our own handler a moment to run.
      await sleep(200);
      if (stopping) return;
      console.error(`${label}: the ${name} exited unexpectedly (${signal ?? `exit code ${code}`})`);
      void stop(typeof code === 'number' && code !== 0 ? code : 1);
    });
    child.once('error', (err) => {
      if (stopping) return;
      console.error(`${label}: cannot start the ${name}: ${err.message}`);
      void stop(1);
    });
    return child;
  }

  async function stop(exitCode) {
    if (stopping) return;
    stopping = true;
    const running = [...children.values()];
    for (const { child } of running) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const { child } of running) child.kill('SIGKILL');
    }, stopTimeoutMs);
    await Promise.all(running.map(({ exited }) => exited));
    clearTimeout(timer);
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.error(`${label}: clean-up failed: ${err.message}`);
      }
    }
    process.exit(exitCode);
  }

  /** Stops everything on SIGINT and SIGTERM, exiting 0; `message(signal)` is printed first. */
  function stopOnSignals(message) {
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.on(signal, () => {
        if (!stopping) console.error(message(signal));
        void stop(0);
      });
    }
  }

  /**
   * Polls `url` until it answers 2xx; false when the group is stopping. On timeout the group
   * is stopped with exit code 1 (and this never resolves).
   */
  async function waitFor(url, what, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (!stopping) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 1000);
      try {
        const response = await fetch(url, { signal: abort.signal });
        if (response.ok) return true;
      } catch {
        // not listening yet
      } finally {
        clearTimeout(timer);
      }
      if (Date.now() > deadline) {
        console.error(`${label}: the ${what} did not answer ${url} within ${timeoutMs / 1000} s`);
        await stop(1);
      }
      await sleep(200);
    }
    return false;
  }

  return {
    start,
    stop,
    stopOnSignals,
    waitFor,
    /** Registers a clean-up run after every child has exited (last registered runs first). */
    onStop: (fn) => cleanups.push(fn),
    get stopping() {
      return stopping;
    },
  };
}
