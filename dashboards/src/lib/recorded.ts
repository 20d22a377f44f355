import { allRecordingRules } from '../../../alert-rules/src/index.js';
import { JOB_WIDE_MATCHERS } from './query.js';

/**
 * Series of the recording rules the alerts compare (alert-rules/recording.yml), so that a panel
 * draws the very numbers an alert fires on instead of a formula of its own.
 */

/**
 * The recorded series `<level>:<metric>:<operations>` of alert-rules/src, selected by the
 * dashboard variables. Throws when alert-rules/src has no such rule: a renamed rule must fail
 * `npm run dashboards`, not leave a panel empty.
 * Recording rules aggregate `by (job)` and drop `instance`: see JOB_WIDE_MATCHERS.
 */
export function recorded(metric: string, operations: string): string {
  const matches = allRecordingRules().filter((rule) => {
    const [, name, ops] = rule.record.split(':');
    return name === metric && ops === operations;
  });
  const [rule] = matches;
  if (!rule || matches.length > 1) {
    throw new Error(
      `expected one recording rule *:${metric}:${operations} in alert-rules/src, found ${matches.length}`,
    );
  }
  return `${rule.record}{${JOB_WIDE_MATCHERS}}`;
}
