/**
 * docker-compose.yml, checked without Docker (it does not run on the project's machines): every
 * mounted path exists, the ports and URLs each service is given agree with the configuration
 * of the service they point at, images are pinned, every service is health-checked (or says why
 * not), the exporter runs as non-root and no secret is written in the file. The compose
 * Prometheus configuration is validated by `promtool check config` with the container paths
 * mapped back to the repository.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { config as mixin } from '../../mixin/config.js';
import { REPO_ROOT } from '../helpers/process.js';
import { promtool } from '../helpers/promtool.js';

type Doc = Record<string, unknown>;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  user?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  'x-no-healthcheck'?: string;
}

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
const yamlFile = <T = Doc>(path: string): T => parse(read(path)) as T;

const compose = yamlFile<{ services: Record<string, Service>; volumes: Record<string, unknown> }>(
  'docker-compose.yml',
);
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/**
 * Paths a mount may name that are not committed but made by the build, with what makes them.
 * Checked when present (a fresh clone before `npm ci` lacks them).
 */
const BUILD_OUTPUTS: Record<string, string> = {
  'grafana-plugin/dist': '`npm ci` (the root prepare script) or `npm run build:plugin`',
};

interface Mount {
  host?: string; // repository-relative path of a bind mount
  volume?: string; // named volume
  target: string;
  readOnly: boolean;
}

function mounts(s: Service): Mount[] {
  return (s.volumes ?? []).map((spec) => {
    const [source = '', target = '', mode] = spec.split(':');
    const readOnly = mode === 'ro';
    if (source.startsWith('./')) return { host: posix.normalize(source), target, readOnly };
    if (source.startsWith('/') || source.startsWith('..'))
      throw new Error(`${spec}: bind mounts must stay inside the repository`);
    return { volume: source, target, readOnly };
  });
}

/** The repository path a container path of `s` resolves to through its bind mounts. */
function hostPath(s: Service, containerPath: string): string | undefined {
  const candidates = mounts(s)
    .filter((m) => m.host !== undefined)
    .filter((m) => containerPath === m.target || containerPath.startsWith(`${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length);
  const m = candidates[0];
  return m ? posix.join(m.host!, containerPath.slice(m.target.length)) : undefined;
}

/** The value of `--name=value` (or `-name=value`) in a command. */
function flag(s: Service, name: string): string | undefined {
  const args = [...(s.entrypoint ?? []), ...(s.command ?? [])];
  for (const [i, arg] of args.entries()) {
    const m = /^--?([\w.-]+)(?:=(.*))?$/.exec(arg);
    if (m?.[1] !== name) continue;
    // `--name=value`, or `--name value` (the simulator's parseArgs takes both)
    return m[2] ?? args[i + 1];
  }
  return undefined;
}

/** The URL a service's health check fetches (`wget ... URL` or `fetch('URL')`). */
function healthUrl(s: Service): string {
  const url = /https?:\/\/[^\s'"]+/.exec((s.healthcheck?.test ?? []).join(' '))?.[0];
  if (!url) throw new Error(`no URL in the health check ${JSON.stringify(s.healthcheck)}`);
  return url;
}

/** `host:port` of a URL or target, with the scheme's default port. */
function hostPort(target: string): { host: string; port: number } {
  const url = new URL(target.includes('://') ? target : `http://${target}`);
  return { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

/** The port a service listens on inside the network, from what configures it. */
function listenPort(name: string): number {
  switch (name) {
    case 'exporter':
      return Number(service('exporter').environment?.TRADEWATCH_PORT);
    case 'prometheus':
    case 'alertmanager': {
      const listen = flag(service(name), 'web.listen-address');
      if (!listen) throw new Error(`${name} has no --web.listen-address`);
      return Number(listen.split(':').pop());
    }
    case 'tempo':
      return tempoConfig().server.http_listen_port;
    case 'grafana':
      return 3000; // Grafana's default; GF_SERVER_HTTP_PORT is not set
    case 'postgres':
      return 5432;
    default:
      throw new Error(`no known listen port for ${name}`);
  }
}

/** The named service a URL or target points at, and that its port is the one it listens on. */
function expectPointsAt(target: string, name: string): void {
  const { host, port } = hostPort(target);
  expect(host, target).toBe(name);
  expect(services[name], `${target}: no service ${name}`).toBeDefined();
  expect(port, `${target}: ${name} listens on ${listenPort(name)}`).toBe(listenPort(name));
}

interface TempoConfig {
  server: { http_listen_port: number };
  distributor: {
    receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
  };
}
function tempoConfig(): TempoConfig {
  const file = hostPath(service('tempo'), flag(service('tempo'), 'config.file') ?? '');
  if (!file) throw new Error('tempo: -config.file is not a mounted file');
  return yamlFile<TempoConfig>(file);
}

interface PromConfig {
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  global?: { scrape_interval?: string };
}
const prometheusFile = (): string => {
  const file = hostPath(service('prometheus'), flag(service('prometheus'), 'config.file') ?? '');
  if (!file) throw new Error('prometheus: --config.file is not a mounted file');
  return file;
};

describe('docker-compose.yml', () => {
  it('has the whole stack', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'exporter',
        'simulator',
        'postgres',
        'prometheus',
        'alertmanager',
        'grafana',
        'tempo',
      ]),
    );
  });

  it('mounts only paths that exist in the repository (or that the build makes)', () => {
    const missing: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const m of mounts(s)) {
        if (m.volume) {
          expect(compose.volumes, `${name}: volume ${m.volume} is not declared`).toHaveProperty(
            m.volume,
          );
          continue;
        }
        const path = m.host!.replace(/\/$/, '');
        expect(m.readOnly, `${name}: ${path} should be mounted read-only`).toBe(true);
        if (existsSync(join(REPO_ROOT, path))) continue;
        if (!(path in BUILD_OUTPUTS)) missing.push(`${name}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('declares only named volumes that a service uses', () => {
    const used = new Set(
      Object.values(services).flatMap((s) => mounts(s).flatMap((m) => m.volume ?? [])),
    );
    expect(Object.keys(compose.volumes).sort()).toEqual([...used].sort());
  });

  it('pins every image to a version (no latest, no bare name)', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, `${name} needs an image`).toBeDefined();
      const tag = /:([^/:]+)$/.exec(s.image!)?.[1];
      expect(tag, `${name}: ${s.image} has no tag`).toBeDefined();
      expect(tag, `${name}: ${s.image}`).not.toMatch(/latest|main|master|nightly/);
      expect(tag, `${name}: ${s.image} names no exact version`).toMatch(
        /^v?\d+\.\d+(\.\d+)?(-[\w.]+)?$/, // PostgreSQL's minor releases are major.minor
      );
    }
    // deploy/README.md lists the same pins.
    const readme = read('deploy/README.md');
    for (const [name, s] of Object.entries(services)) {
      if (!s.build && name !== 'tempo-init' && name !== 'simulator')
        expect(readme, `deploy/README.md names ${s.image}`).toContain(`\`${s.image}\``);
    }
    // The image built here carries the exporter's version.
    const version = (JSON.parse(read('exporter/package.json')) as { version: string }).version;
    expect(service('exporter').image).toBe(`tradewatch/exporter:${version}`);
    expect(service('simulator').image).toBe(service('exporter').image);
  });

  it('health-checks every service, or says why not', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.healthcheck) {
        expect(s.healthcheck.test[0], name).toMatch(/^CMD/);
        continue;
      }
      expect(
        s['x-no-healthcheck'],
        `${name}: no healthcheck and no x-no-healthcheck reason`,
      ).toMatch(/\w{3,}/);
    }
    // The simulator shares the exporter's image, whose HEALTHCHECK probes port 9473: it must
    // have its own.
    expect(service('simulator').healthcheck?.test.join(' ')).toContain('9474');
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        if (condition === 'service_healthy') {
          expect(
            services[dependency]!.healthcheck,
            `${name} waits for ${dependency}`,
          ).toBeDefined();
        }
      }
    }
  });

  it('publishes the UIs on loopback only', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) {
        if (name === 'exporter') continue; // trading systems on other hosts post to it
        expect(port, `${name}: ${port}`).toMatch(/^127\.0\.0\.1:/);
      }
    }
    const published = service('exporter').ports?.map((p) => Number(p.split(':').pop()));
    expect(published).toContain(listenPort('exporter'));
  });

  it('writes no secret: every token and password is a required variable', () => {
    const text = read('docker-compose.yml');
    expect(text).not.toMatch(/hooks\.slack\.com|events\.pagerduty\.com/);
    expect(text).not.toMatch(/\b[0-9a-f]{24,}\b/i);
    const secretName = /(TOKEN|PASSWORD|SECRET|KEY)$/;
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (secretName.test(key)) {
          expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        }
        if (/^postgres(ql)?:\/\//.test(value)) {
          // A connection URL may carry a password only through a variable.
          const password = /^postgres(?:ql)?:\/\/[^:/@]+:(.*)@[^@]+$/.exec(value)?.[1];
          if (password !== undefined)
            expect(password, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        }
      }
    }
    // The example environment names every variable the file requires, with no value.
    const example = read('deploy/env.example');
    const required = new Set(
      [...text.replace(/^\s*#.*$/gm, '').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]),
    );
    for (const variable of required) expect(example).toMatch(new RegExp(`^${variable}=$`, 'm'));
    expect(example).not.toMatch(/^[A-Z_]+=.+$/m);
  });

  it('runs the exporter as non-root, from a multi-stage Node LTS build', () => {
    expect(service('exporter').build).toBeDefined();
    for (const name of ['exporter', 'simulator']) {
      expect(service(name).user, name).toBeDefined();
      expect(service(name).user).not.toMatch(/^(root|0)(:|$)/);
    }
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const users = [...stages.at(-1)!.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
    const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(nodeImage).toMatch(/^node:\d+\.\d+\.\d+-/);
    const major = Number(/^node:(\d+)/.exec(nodeImage!)![1]);
    expect(major % 2, 'LTS lines are even').toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it('gives every npm ci the package.json of every workspace, and .dockerignore keeps them', () => {
    const dockerfile = read('Dockerfile');
    const root = JSON.parse(read('package.json')) as { workspaces: string[] };
    for (const stage of dockerfile.split(/^FROM /m).slice(1)) {
      if (!/npm ci/.test(stage)) continue;
      for (const ws of root.workspaces) {
        expect(stage, `a stage running npm ci lacks ${ws}/package.json`).toMatch(
          new RegExp(`^COPY .*\\b${ws}/package\\.json\\b`, 'm'),
        );
      }
      expect(stage).toMatch(/npm ci .*--workspace exporter/);
    }
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/),
    );
    const ignored = sources.filter((path) => dockerignored(path));
    expect(ignored).toEqual([]);
    for (const path of sources) expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
  });

  it('points Prometheus at the exporter, the rule files and Alertmanager', async () => {
    const prom = service('prometheus');
    expect(prom.command).toContain('--enable-feature=exemplar-storage');
    const config = yamlFile<PromConfig>(prometheusFile());

    const job = /^job="([^"]+)"$/.exec(mixin.tradewatchSelector)?.[1];
    const tradewatch = config.scrape_configs.find((c) => c.job_name === job);
    expect(tradewatch, `a scrape job named ${job}`).toBeDefined();
    const targets = tradewatch!.static_configs.flatMap((c) => c.targets);
    expect(targets).toHaveLength(1);
    expectPointsAt(targets[0]!, 'exporter');
    // Grafana's $__rate_interval assumes the scrape interval it is told.
    const datasources = yamlFile<{
      datasources: { type: string; jsonData?: { timeInterval?: string } }[];
    }>('dashboards/provisioning/datasources/tradewatch.yaml');
    const promSource = datasources.datasources.find((d) => d.type === 'prometheus');
    expect(promSource?.jsonData?.timeInterval).toBe(config.global?.scrape_interval);

    const alertmanagers = config.alerting.alertmanagers.flatMap((a) =>
      a.static_configs.flatMap((c) => c.targets),
    );
    expect(alertmanagers).toHaveLength(1);
    expectPointsAt(alertmanagers[0]!, 'alertmanager');
    for (const c of config.scrape_configs) {
      for (const target of c.static_configs.flatMap((s) => s.targets)) {
        const { host } = hostPort(target);
        if (host === 'localhost') expect(c.job_name).toBe('prometheus');
        else expectPointsAt(target, host);
      }
    }

    const rules = config.rule_files.map((f) => hostPath(prom, f));
    expect(rules.sort()).toEqual(['alert-rules/alerts.yml', 'alert-rules/recording.yml']);

    // promtool on the same file, with the rule files at their repository paths.
    const dir = await mkdtemp(join(tmpdir(), 'tw-compose-'));
    try {
      const mapped = { ...config, rule_files: rules.map((r) => join(REPO_ROOT, r!)) };
      await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(mapped));
      const run = await promtool(['check', 'config', join(dir, 'prometheus.yml')]);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/SUCCESS: 2 rule files found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives Alertmanager the repo's routing, its secrets directory, and the exporter's webhook", () => {
    const am = service('alertmanager');
    const file = hostPath(am, flag(am, 'config.file') ?? '');
    expect(file).toBe('alert-rules/alertmanager.yml');
    const text = read(file!);
    const secretFiles = [...text.matchAll(/_file: (\S+)/g)].map((m) => m[1]!);
    expect(secretFiles.length).toBeGreaterThan(0);
    for (const path of secretFiles) {
      expect(path.startsWith(`${mixin.routing.secretsDir}/`), path).toBe(true);
      expect(hostPath(am, path), path).toBe(`deploy/alertmanager/secrets/${posix.basename(path)}`);
      // Documented for whoever fills the directory.
      expect(read('deploy/alertmanager/secrets/README.md')).toContain(
        `\`${posix.basename(path)}\``,
      );
    }
    // Only the README and .gitignore are committed there.
    const gitignore = read('deploy/alertmanager/secrets/.gitignore');
    expect(gitignore).toMatch(/^\*$/m);

    const history = mixin.routing.webhooks.tradewatch;
    expect(text).toContain(`url: ${history}`);
    expectPointsAt(history, 'exporter');
    expect(new URL(history).pathname).toBe('/alerts/webhook');
    expectPointsAt(
      service('exporter').environment!.TRADEWATCH_ALERTS__ALERTMANAGER_URL!,
      'alertmanager',
    );
  });

  it('provisions Grafana with the data sources, the dashboards and the funnel plugin', () => {
    const grafana = service('grafana');
    const sources = yamlFile<{ datasources: { type: string; url: string }[] }>(
      hostPath(grafana, '/etc/grafana/provisioning/datasources/tradewatch.yaml')!,
    );
    const byType = Object.fromEntries(sources.datasources.map((d) => [d.type, d.url]));
    expectPointsAt(byType.prometheus!, 'prometheus');
    expectPointsAt(byType.tempo!, 'tempo');

    const providers = yamlFile<{ providers: { options: { path: string } }[] }>(
      hostPath(grafana, '/etc/grafana/provisioning/dashboards/tradewatch.yaml')!,
    );
    for (const p of providers.providers) {
      expect(hostPath(grafana, p.options.path)).toBe('dashboards/generated');
    }
    expect(statSync(join(REPO_ROOT, 'dashboards/generated')).isDirectory()).toBe(true);

    const plugin = JSON.parse(read('grafana-plugin/src/plugin.json')) as { id: string };
    expect(hostPath(grafana, `/var/lib/grafana/plugins/${plugin.id}`)).toBe('grafana-plugin/dist');
    expect(grafana.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS?.split(',')).toContain(
      plugin.id,
    );
    // grafana-plugin/dist is made by the build (BUILD_OUTPUTS); when present it is that plugin.
    const built = join(REPO_ROOT, 'grafana-plugin/dist/plugin.json');
    if (existsSync(built)) {
      expect((JSON.parse(readFileSync(built, 'utf8')) as { id: string }).id).toBe(plugin.id);
      expect(existsSync(join(REPO_ROOT, 'grafana-plugin/dist/module.js'))).toBe(true);
    }
  });

  it("points the simulator's --url at the exporter's port", () => {
    const url = flag(service('simulator'), 'url');
    expect(url, 'the simulator has --url (its default is 127.0.0.1, itself)').toBeDefined();
    expectPointsAt(url!, 'exporter');
  });

  it('health-checks the exporter inside its container on the port TRADEWATCH_PORT sets', () => {
    const { host, port } = hostPort(healthUrl(service('exporter')));
    expect(host).toBe('127.0.0.1');
    expect(port, 'the exporter listens on TRADEWATCH_PORT').toBe(listenPort('exporter'));
    expect(new URL(healthUrl(service('exporter'))).pathname).toBe('/readyz');
  });

  it('health-checks the simulator on its --control-port', () => {
    const { host, port } = hostPort(healthUrl(service('simulator')));
    expect(host).toBe('127.0.0.1');
    expect(port).toBe(Number(flag(service('simulator'), 'control-port')));
  });

  it("sends the exporter's spans to Tempo's OTLP receiver", () => {
    const endpoint = service('exporter').environment?.OTEL_EXPORTER_OTLP_ENDPOINT;
    expect(endpoint).toBeDefined();
    const protocol =
      service('exporter').environment?.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
    const receiver =
      tempoConfig().distributor.receivers.otlp.protocols[protocol === 'grpc' ? 'grpc' : 'http'];
    expect(receiver, `tempo has an OTLP ${protocol} receiver`).toBeDefined();
    const [bind, port] = receiver!.endpoint.split(':');
    expect(bind, 'reachable from other containers').toBe('0.0.0.0');
    const target = hostPort(endpoint!);
    expect(target.host).toBe('tempo');
    expect(target.port).toBe(Number(port));
  });
});

/** Whether .dockerignore keeps `path` out of the build context (last matching rule wins). */
function dockerignored(path: string): boolean {
  const rules = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = negated ? rule.slice(1) : rule;
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\?/g, '[^/]')
        .replace(/\*\*\//g, '\0')
        .replace(/\*/g, '[^/]*')
        .replaceAll('\0', '(?:.*/)?')}$`,
    );
    if (prefixes.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}
