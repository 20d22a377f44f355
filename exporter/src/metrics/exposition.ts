/**
 * The two exposition formats Prometheus scrapes: the classic text format 0.0.4 and
 * OpenMetrics 1.0 (the only one that carries exemplars). Escaping rules differ in HELP.
 */
export type ExpositionFormat = 'text' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

const LABEL_SPECIALS = /[\\"\n]/;

export function escapeLabelValue(value: string): string {
  if (!LABEL_SPECIALS.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

/**
 * A family's HELP and TYPE lines, and UNIT in OpenMetrics, which names a counter family without
 * its `_total`.
 */
export function familyHeader(
  family: { name: string; type: string; help: string; unit?: string | undefined },
  format: ExpositionFormat,
): string {
  const openMetrics = format === 'openmetrics';
  const name =
    openMetrics && family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
  let text = `# HELP ${name} ${escapeHelp(family.help, format)}\n# TYPE ${name} ${family.type}\n`;
  if (openMetrics && family.unit) text += `# UNIT ${name} ${family.unit}\n`;
  return text;
}

export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Renders `a="x",b="y"` (no braces) so series can keep it pre-rendered. */
export function renderLabelPairs(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  return out;
}

/**
 * Picks the format from a scraper's Accept header: OpenMetrics when it is offered with a
 * q-value at least as high as the text format's (Prometheus sends both, preferring OpenMetrics
 * when exemplar storage or native histograms are on).
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept || !accept.includes('application/openmetrics-text')) return 'text';
  let openMetricsQ = -1;
  let textQ = -1;
  for (const part of accept.split(',')) {
    const [mediaType = '', ...params] = part.split(';').map((p) => p.trim());
    let q = 1;
    let version: string | undefined;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key === 'q') q = Number(value);
      if (key === 'version') version = value;
    }
    if (Number.isNaN(q)) continue;
    if (mediaType === 'application/openmetrics-text' && (!version || version.startsWith('1.'))) {
      openMetricsQ = Math.max(openMetricsQ, q);
    } else if (mediaType === 'text/plain' || mediaType === '*/*') {
      textQ = Math.max(textQ, q);
    }
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'text';
}
