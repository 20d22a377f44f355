import { describe, expect, it } from 'vitest';
import { bareMetrics, matcherBlocks, rateCalls, totalsOutsideRates } from './promql.js';

/** The checks of conventions.test.ts catch what they are meant to catch. */
describe('PromQL checks', () => {
  it('find a rate without $__rate_interval', () => {
    const calls = rateCalls(
      'sum(rate(a_total{x="1"}[5m])) / sum(increase(b_total[$__rate_interval]))',
    );
    expect(calls.map((c) => [c.fn, c.ranges])).toEqual([
      ['rate', ['5m']],
      ['increase', ['$__rate_interval']],
    ]);
  });

  it('find a counter outside a rate', () => {
    expect(totalsOutsideRates('a_total{j="x"} + rate(b_total{j="x"}[$__rate_interval])')).toEqual([
      'a_total',
    ]);
  });

  it('find a series selected without label matchers', () => {
    expect(bareMetrics('time() - tradewatch_x + up{job="a"}')).toEqual(['tradewatch_x']);
    expect(bareMetrics('job:tradewatch_x:max{job=~"$job"} / job:tradewatch_y:rate5m')).toEqual([
      'job:tradewatch_y:rate5m',
    ]);
    expect(matcherBlocks('a{job=~"$job"} / b{instance=~"$instance"}')).toEqual([
      '{job=~"$job"}',
      '{instance=~"$instance"}',
    ]);
  });
});
