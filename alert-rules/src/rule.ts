import {
  config,
  runbookUrl,
  type AlertPolicy,
  type Component,
  type Duration,
} from '../../mixin/config.js';

/** A Prometheus alerting rule, in the order of keys Prometheus documents. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: Duration;
  readonly labels: { readonly severity: string; readonly component: Component };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

/** A Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** What one component module contributes: its alerts and the recording rules they share. */
export interface ComponentRules {
  readonly component: Component;
  readonly alerts: readonly AlertingRule[];
  readonly recording: readonly RecordingRule[];
}

export interface AlertSpec {
  /** Name without the shared prefix, e.g. `CircuitBreakerActive`. */
  readonly name: string;
  readonly policy: AlertPolicy;
  readonly expr: string;
  /** One plain sentence, no templates (conventions: summary). */
  readonly summary: string;
  /** Templated with the values that matter ({{ $labels.x }}, {{ $value }}). */
  readonly description: string;
}

/** Builds one alerting rule of a component: prefix, labels, runbook link. */
export function alertRule(component: Component, spec: AlertSpec): AlertingRule {
  const alert = `${config.alertNamePrefix}${spec.name}`;
  if (!/^[A-Z][A-Za-z0-9]*$/.test(alert)) throw new Error(`alert name ${alert} is not CamelCase`);
  if (!/^[A-Z][^{}]*\.$/.test(spec.summary)) {
    throw new Error(`${alert}: summary must be one plain sentence ending with a period`);
  }
  return {
    alert,
    expr: spec.expr,
    // `for: 0m` is the default; leaving it out keeps the YAML to what matters.
    ...(spec.policy.for === '0m' ? {} : { for: spec.policy.for }),
    labels: { severity: spec.policy.severity, component },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: runbookUrl(alert),
    },
  };
}

/** A component module's rules, with every alert stamped with that component. */
export function componentRules(
  component: Component,
  alerts: readonly AlertSpec[],
  recording: readonly RecordingRule[] = [],
): ComponentRules {
  return { component, alerts: alerts.map((a) => alertRule(component, a)), recording };
}
