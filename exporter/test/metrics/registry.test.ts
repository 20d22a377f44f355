import { describe, expect, it } from 'vitest';
import { checkDefinition } from '../../src/metrics/definition.js';
import { MetricRegistry } from '../../src/metrics/registry.js';

const newRegistry = (maxSeries = 100, maxLength = 16) =>
  new MetricRegistry({ maxSeriesPerMetric: maxSeries, maxLabelValueLength: maxLength });

/** The lines of one family, without HELP/TYPE, from a text exposition. */
function samples(exposition: string, prefix: string): string[] {
  return exposition.split('\n').filter((l) => l.startsWith(prefix));
}

describe('MetricRegistry rendering', () => {
  it('renders counters and gauges in the text format', async () => {
    const r = newRegistry();
    const c = r.register({
      name: 't_events_total',
      type: 'counter',
      help: 'Events.',
      labelNames: ['kind'],
    });
    const g = r.register({ name: 't_level', type: 'gauge', help: 'Level.', labelNames: [] });
    c.inc(['a'], 2);
    c.inc(['a']);
    c.inc(['a'], -5); // counters never go down
    c.inc(['b'], NaN); // and a bad increment creates nothing
    g.set([], -1.5);
    const text = await r.renderToString('text');
    expect(text).toContain('# HELP t_events_total Events.\n# TYPE t_events_total counter\n');
    expect(samples(text, 't_events_total')).toEqual(['t_events_total{kind="a"} 3']);
    expect(samples(text, 't_level')).toEqual(['t_level -1.5']);
    expect(text.endsWith('# EOF\n')).toBe(false);
  });

  it('renders histograms with cumulative buckets, sum and count (hand-computed)', async () => {
    const r = newRegistry();
    const h = r.register({
      name: 't_duration_seconds',
      type: 'histogram',
      help: 'Durations.',
      labelNames: ['stage'],
      unit: 'seconds',
      buckets: [0.1, 1, 10],
    });
    for (const v of [0.05, 0.1, 0.5, 5, 50]) h.observe(['s'], v);
    const text = await r.renderToString('text');
    expect(samples(text, 't_duration_seconds')).toEqual([
      't_duration_seconds_bucket{stage="s",le="0.1"} 2', // 0.05 and 0.1 (le is inclusive)
      't_duration_seconds_bucket{stage="s",le="1"} 3',
      't_duration_seconds_bucket{stage="s",le="10"} 4',
      't_duration_seconds_bucket{stage="s",le="+Inf"} 5',
      't_duration_seconds_sum{stage="s"} 55.65',
      't_duration_seconds_count{stage="s"} 5',
    ]);
  });

  it('writes OpenMetrics: counter families without _total, UNIT lines, exemplars and # EOF', async () => {
    const r = newRegistry();
    const c = r.register({
      name: 't_runs_total',
      type: 'counter',
      help: 'Say "runs".',
      labelNames: [],
    });
    const h = r.register({
      name: 't_wait_seconds',
      type: 'histogram',
      help: 'Wait.',
      labelNames: [],
      unit: 'seconds',
      buckets: [1],
    });
    c.inc([]);
    h.observe([], 0.5, { labels: 'trace_id="abc"', value: 0.5, timestampSeconds: 1700000000.5 });
    const om = await r.renderToString('openmetrics');
    expect(om).toContain('# HELP t_runs Say \\"runs\\".\n# TYPE t_runs counter\nt_runs_total 1\n');
    expect(om).toContain('# UNIT t_wait_seconds seconds\n');
    expect(om).toContain('t_wait_seconds_bucket{le="1"} 1 # {trace_id="abc"} 0.5 1700000000.500\n');
    expect(om.endsWith('# EOF\n')).toBe(true);
    // Exemplars exist only in OpenMetrics.
    expect(await r.renderToString('text')).not.toContain('trace_id');
  });

  it('yields between slices on large registries so the event loop keeps running', async () => {
    const r = newRegistry(1_000_000);
    const g = r.register({ name: 't_many', type: 'gauge', help: 'Many.', labelNames: ['i'] });
    for (let i = 0; i < 200_000; i++) g.set([String(i)], i);
    let chunks = 0;
    let timerRan = false;
    setImmediate(() => (timerRan = true));
    await r.render('text', () => {
      chunks++;
    });
    expect(chunks).toBeGreaterThan(1);
    expect(timerRan).toBe(true);
  });
});

describe('rendering across scrapes (cached line prefixes)', () => {
  it('follows a family that is reset and refilled with other and fewer series', async () => {
    const r = newRegistry();
    const g = r.register({ name: 't_open', type: 'gauge', help: 'Open.', labelNames: ['side'] });
    const h = r.register({
      name: 't_wait_seconds',
      type: 'histogram',
      help: 'Wait.',
      labelNames: ['queue'],
      unit: 'seconds',
      buckets: [1],
    });
    g.set(['buy'], 1);
    g.set(['sell'], 2);
    h.observe(['a'], 0.5);
    h.observe(['b'], 2);
    await r.renderToString('text');
    g.reset();
    g.set(['short'], 3);
    h.reset();
    h.observe(['c'], 4);
    const text = await r.renderToString('text');
    expect(samples(text, 't_open')).toEqual(['t_open{side="short"} 3']);
    expect(samples(text, 't_wait_seconds')).toEqual([
      't_wait_seconds_bucket{queue="c",le="1"} 0',
      't_wait_seconds_bucket{queue="c",le="+Inf"} 1',
      't_wait_seconds_sum{queue="c"} 4',
      't_wait_seconds_count{queue="c"} 1',
    ]);
    g.set(['buy'], 5); // a place rendered before the reset holds another series now
    expect(samples(await r.renderToString('text'), 't_open')).toEqual([
      't_open{side="short"} 3',
      't_open{side="buy"} 5',
    ]);
  });

  it('shows values set between scrapes and an overflow series that appeared since', async () => {
    const r = newRegistry(1);
    const c = r.register({ name: 't_jobs_total', type: 'counter', help: 'J.', labelNames: ['k'] });
    c.inc(['a']);
    expect(samples(await r.renderToString('text'), 't_jobs_total')).toEqual([
      't_jobs_total{k="a"} 1',
    ]);
    c.inc(['a'], 2.5);
    c.inc(['b']);
    expect(samples(await r.renderToString('text'), 't_jobs_total')).toEqual([
      't_jobs_total{k="a"} 3.5',
      't_jobs_total{k="__overflow__"} 1',
    ]);
  });

  it('keeps label values beyond ASCII intact in both formats', async () => {
    const r = newRegistry();
    const g = r.register({ name: 't_city', type: 'gauge', help: 'City.', labelNames: ['name'] });
    g.set(['Zürich ✓'], 2);
    for (const format of ['text', 'openmetrics'] as const) {
      const text = await r.renderToString(format);
      expect(samples(text, 't_city')).toEqual(['t_city{name="Zürich ✓"} 2']);
    }
  });
});

describe('cardinality guard', () => {
  it('sends label sets past the cap to one overflow series and counts them', async () => {
    const r = newRegistry(2);
    const g = r.register({
      name: 't_by_symbol',
      type: 'gauge',
      help: 'By symbol.',
      labelNames: ['symbol'],
    });
    g.set(['A'], 1);
    g.set(['B'], 2);
    g.set(['C'], 3);
    g.set(['D'], 4);
    g.set(['A'], 5); // existing series still update
    const text = await r.renderToString('text');
    expect(samples(text, 't_by_symbol')).toEqual([
      't_by_symbol{symbol="A"} 5',
      't_by_symbol{symbol="B"} 2',
      't_by_symbol{symbol="__overflow__"} 4',
    ]);
    expect(text).toContain('tradewatch_cardinality_overflow_total{metric="t_by_symbol"} 2\n');
  });

  it('limits label value length and replaces control characters and lone surrogates', async () => {
    const r = newRegistry(100, 8);
    const g = r.register({ name: 't_named', type: 'gauge', help: 'Named.', labelNames: ['name'] });
    g.set(['abcdefghijkl'], 1);
    g.set(['abcdefgh-other'], 2); // same first 8 characters: same series
    g.set(['a\u0000\ud800'], 3);
    const text = await r.renderToString('text');
    expect(samples(text, 't_named')).toEqual([
      't_named{name="abcdefgh"} 2',
      't_named{name="a\ufffd\ufffd"} 3',
    ]);
  });

  it('rejects a wrong number of label values loudly (a programming error)', () => {
    const r = newRegistry();
    const g = r.register({ name: 't_two', type: 'gauge', help: 'Two.', labelNames: ['a', 'b'] });
    g.set(['x', 'y'], 1); // the lookup index now holds a path starting at "x"
    expect(() => g.set(['x'], 1)).toThrow(/takes 2 label values/);
    expect(() => g.set(['x', 'y', 'z'], 1)).toThrow(/takes 2 label values/);
  });

  it('has the overflow counter at 0 for every capped metric from the start', async () => {
    const r = newRegistry(1);
    r.register({ name: 't_by_k', type: 'gauge', help: 'By k.', labelNames: ['k'] });
    r.register({
      name: 't_hist_seconds',
      type: 'histogram',
      help: 'H.',
      labelNames: ['s'],
      unit: 'seconds',
      buckets: [1],
    });
    r.register({ name: 't_single', type: 'gauge', help: 'One series.', labelNames: [] });
    r.register({ name: 't_build_info', type: 'gauge', help: 'Build.', labelNames: ['version'] });
    const text = await r.renderToString('text');
    // With a cap of 1 the counter itself would overflow on its second metric: it is uncapped.
    // A metric without labels, or an info metric, has one series and cannot overflow: none.
    expect(samples(text, 'tradewatch_cardinality_overflow_total{')).toEqual([
      'tradewatch_cardinality_overflow_total{metric="t_by_k"} 0',
      'tradewatch_cardinality_overflow_total{metric="t_hist_seconds"} 0',
    ]);
  });

  it('counts every update that lands in the overflow series, not just the first', async () => {
    const r = newRegistry(1);
    const c = r.register({
      name: 't_hits_total',
      type: 'counter',
      help: 'Hits.',
      labelNames: ['k'],
    });
    for (let i = 0; i < 3; i++) c.inc(['a']);
    for (let i = 0; i < 3; i++) c.inc(['b']);
    const text = await r.renderToString('text');
    expect(samples(text, 't_hits_total')).toEqual([
      't_hits_total{k="a"} 3',
      't_hits_total{k="__overflow__"} 3',
    ]);
    expect(text).toContain('tradewatch_cardinality_overflow_total{metric="t_hits_total"} 3\n');
  });
});

describe('definition checks', () => {
  const base = { help: 'Help.', labelNames: [] as string[] };
  it.each([
    [{ ...base, name: 't_runs', type: 'counter' as const }, /_total/],
    [{ ...base, name: 't_level_total', type: 'gauge' as const }, /_total/],
    [{ ...base, name: 't_latency_milliseconds', type: 'gauge' as const }, /base units/],
    [{ ...base, name: 'tCamel', type: 'gauge' as const }, /snake_case/],
    [{ ...base, name: 't_x:y', type: 'gauge' as const }, /snake_case/],
    [{ ...base, name: 't_age', type: 'gauge' as const, unit: 'seconds' }, /unit seconds/],
    [{ ...base, name: 't_level', type: 'gauge' as const, labelNames: ['type'] }, /label type/],
    [{ ...base, name: 't_h', type: 'histogram' as const, buckets: [2, 1] }, /ascending/],
  ])('refuses %o', (def, problem) => {
    expect(checkDefinition(def).join('; ')).toMatch(problem);
  });

  it('accepts a well-formed definition', () => {
    expect(
      checkDefinition({ ...base, name: 't_wait_seconds_total', type: 'counter', unit: 'seconds' }),
    ).toEqual([]);
  });
});
