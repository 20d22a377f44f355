import { describe, expect, it } from 'vitest';
import { recorded } from '../../dashboards/src/lib/recorded.js';

describe('recorded series in dashboards', () => {
  it("selects an alert rule's recorded series job-wide, the missing instance label included", () => {
    expect(recorded('tradewatch_engine_equity_drawdown_ratio', 'max_over_time1h')).toBe(
      'job_engine:tradewatch_engine_equity_drawdown_ratio:max_over_time1h{job=~"$job", instance=~"$instance|"}',
    );
  });

  it('fails generation for a rule alert-rules/src does not define', () => {
    expect(() => recorded('tradewatch_engine_equity_drawdown_ratio', 'max_over_time2h')).toThrow(
      /one recording rule .* found 0/,
    );
  });
});
