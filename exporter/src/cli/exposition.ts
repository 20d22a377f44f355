/** A reader of the Prometheus text format (what the exporter's `/metrics` answers by default). */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_created', '_total', '_info'];

/** Families in exposition order; a sample joins the family its name (less a suffix) declares. */
export function parseExposition(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2] as string);
      if (meta[1] === 'TYPE') f.type = meta[3] as string;
      else f.help = meta[3] as string;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    if (!sample) continue;
    const owner =
      families.get(sample.name) ??
      SUFFIXES.filter((s) => sample.name.endsWith(s))
        .map((s) => families.get(sample.name.slice(0, -s.length)))
        .find((f) => f !== undefined) ??
      family(sample.name);
    owner.samples.push(sample);
  }
  return [...families.values()];
}

function parseSample(line: string): Sample | undefined {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) return undefined;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const pair = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/;
    rest = rest.slice(1);
    for (let m = pair.exec(rest); m; m = pair.exec(rest)) {
      labels[m[1] as string] = unescape(m[2] as string);
      rest = rest.slice(m[0].length);
    }
    if (!rest.startsWith('}')) return undefined;
    rest = rest.slice(1);
  }
  const valueText = rest.trim().split(/\s+/)[0] ?? '';
  const value = parseValue(valueText);
  return Number.isNaN(value) && valueText !== 'NaN' ? undefined : { name, labels, value };
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return text === '' ? NaN : Number(text);
}

const unescape = (s: string): string =>
  s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** `name` exactly, or every family starting with it when it ends in `*`. */
export function selectFamilies(families: readonly MetricFamily[], pattern: string): MetricFamily[] {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return families.filter((f) => f.name.startsWith(prefix));
  }
  return families.filter((f) => f.name === pattern);
}

/** Every sample named `name`, whichever family holds it. */
export const samplesOf = (families: readonly MetricFamily[], name: string): Sample[] =>
  families.flatMap((f) => f.samples).filter((s) => s.name === name);
