import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Symbol } from '../prices/schema.js';
import {
  checkTimestamp,
  compileValidator,
  Enum,
  Identifier,
  Timestamp,
  type FieldError,
  type Validator,
} from '../validation.js';

/** Severities of this stack's alerts (CONVENTIONS.md); `none` for plumbing such as Watchdog. */
export const SEVERITIES = ['critical', 'warning', 'info', 'none'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The `component` label of tradewatch's alerts (issue 6). */
export const COMPONENTS = [
  'discovery',
  'learning',
  'dip_detection',
  'trading',
  'model',
  'system_health',
] as const;

const LABEL_NAME = '^[A-Za-z_][A-Za-z0-9_]{0,99}$';
/** A map of label (or annotation) names to strings, as Alertmanager keeps them. */
const StringMap = (maxValue: number) =>
  Type.Record(Type.String({ pattern: LABEL_NAME }), Type.String({ maxLength: maxValue }), {
    additionalProperties: false,
    maxProperties: 64,
  });
const Text = (maxLength: number) => Type.String({ maxLength });
/** Any RFC 3339 time, including Alertmanager's zero time for "not ended". */
const AnyTime = Type.String({ format: 'date-time', maxLength: 64 });

const WebhookAlertSchema = Type.Object(
  {
    status: Enum(['firing', 'resolved']),
    labels: StringMap(1024),
    annotations: StringMap(16_384),
    startsAt: Timestamp,
    endsAt: AnyTime,
    generatorURL: Type.Optional(Text(2048)),
    fingerprint: Type.String({ pattern: '^[0-9a-f]{1,64}$', description: 'lowercase hex' }),
  },
  { additionalProperties: true },
);
export type WebhookAlert = Static<typeof WebhookAlertSchema>;

/** Alertmanager's webhook body, version 4 (alertmanager/notify/webhook). */
export const WebhookSchema = Type.Object(
  {
    version: Type.Literal('4'),
    groupKey: Text(8192),
    truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
    status: Enum(['firing', 'resolved']),
    receiver: Text(200),
    groupLabels: Type.Optional(StringMap(1024)),
    commonLabels: Type.Optional(StringMap(1024)),
    commonAnnotations: Type.Optional(StringMap(16_384)),
    externalURL: Type.Optional(Text(2048)),
    alerts: Type.Array(WebhookAlertSchema, { maxItems: 10_000 }),
  },
  { additionalProperties: true },
);
export type WebhookPayload = Static<typeof WebhookSchema>;

export const webhookValidator: Validator<WebhookPayload> = compileValidator(WebhookSchema, (p) =>
  p.alerts.flatMap((alert, i) => checkWebhookAlert(alert, `alerts[${i}]`)),
);

/** Alertmanager writes a firing alert's end as the zero time (0001-01-01T00:00:00Z). */
export function endTime(alert: Pick<WebhookAlert, 'endsAt'>): string | null {
  const ms = Date.parse(alert.endsAt);
  return Number.isNaN(ms) || ms < Date.UTC(2000, 0, 1) ? null : alert.endsAt;
}

function checkWebhookAlert(alert: WebhookAlert, path: string): FieldError[] {
  const errors: FieldError[] = [];
  checkTimestamp(`${path}.startsAt`, alert.startsAt, errors);
  if (alert.status === 'resolved') {
    if (endTime(alert) === null)
      errors.push({ field: `${path}.endsAt`, message: 'must be set on a resolved alert' });
    else checkTimestamp(`${path}.endsAt`, alert.endsAt, errors);
  }
  if (!alert.labels.alertname)
    errors.push({ field: `${path}.labels.alertname`, message: 'is required' });
  const severity = alert.labels.severity;
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) {
    errors.push({
      field: `${path}.labels.severity`,
      message: `must be one of: ${SEVERITIES.join(', ')}`,
    });
  }
  return errors;
}

/** A manual alert's id: printable and short (it becomes a label and a primary key). */
const AlertId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$',
  description: "letters, digits, '_', '.', ':' or '-', at most 200",
});
const Details = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
  maxProperties: 50,
});
const Lines = Type.Array(Text(500), { maxItems: 20 });
const Price = Type.Number({ exclusiveMinimum: 0 });
const obj = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: true });

/** Document 000 section 1.3: a pipeline alert. */
export const PipelineAlertSchema = obj({
  alert_id: AlertId,
  severity: Enum(['INFO', 'WARNING', 'CRITICAL', 'EMERGENCY']),
  component: Identifier,
  title: Text(200),
  message: Text(2000),
  details: Type.Optional(Details),
  recommended_actions: Type.Optional(Lines),
  escalation_required: Type.Optional(Type.Boolean()),
  created_at: Timestamp,
});
export type PipelineAlert = Static<typeof PipelineAlertSchema>;

/** Document 000 section 3.3: a buy-more alert. */
export const BuyMoreAlertSchema = obj({
  alert_id: AlertId,
  alert_type: Type.Literal('BUY_MORE_OPPORTUNITY'),
  symbol: Symbol,
  priority: Enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'URGENT']),
  current_price: Price,
  entry_price: Price,
  dip_percentage: Type.Number({ minimum: -100, maximum: 0 }),
  thesis_validation: Type.Optional(
    obj({
      original_thesis: Type.Optional(Text(2000)),
      thesis_strength: Type.Optional(Enum(['STRONG', 'MODERATE', 'WEAK'])),
      validation_factors: Type.Optional(Lines),
      invalidating_factors: Type.Optional(Lines),
    }),
  ),
  buy_more_recommendation: Type.Optional(
    obj({
      recommended_action: Type.Optional(Identifier),
      confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      recommended_size_usd: Type.Optional(Type.Number({ minimum: 0 })),
      recommended_size_pct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
      price_targets: Type.Optional(Type.Record(Identifier, Type.Number(), { maxProperties: 20 })),
      risk_management: Type.Optional(Type.Record(Identifier, Type.Number(), { maxProperties: 20 })),
    }),
  ),
  catalyst_timeline: Type.Optional(Text(500)),
  historical_precedent: Type.Optional(Text(500)),
  created_at: Timestamp,
});
export type BuyMoreAlert = Static<typeof BuyMoreAlertSchema>;

export type ManualAlert =
  { kind: 'pipeline'; alert: PipelineAlert } | { kind: 'buy_more'; alert: BuyMoreAlert };
export type ManualKind = ManualAlert['kind'];
export const MANUAL_KINDS: readonly ManualKind[] = ['pipeline', 'buy_more'];

/** A manual alert is sent whole as an annotation: bound it (Alertmanager keeps it in memory). */
export const MAX_MANUAL_ALERT_CHARS = 16_384;

const pipelineCheck = compileValidator(PipelineAlertSchema, (a) => {
  const errors: FieldError[] = [];
  checkTimestamp('created_at', a.created_at, errors);
  return errors;
});
const buyMoreCheck = compileValidator(BuyMoreAlertSchema, (a) => {
  const errors: FieldError[] = [];
  checkTimestamp('created_at', a.created_at, errors);
  return errors;
});

/**
 * The two shapes are told apart by `alert_type`, which only the buy-more alert has: checking
 * against the shape meant (rather than a union) names the fields that are wrong for it.
 */
export const manualAlertValidator: Validator<ManualAlert> = (input) => {
  const isBuyMore =
    typeof input === 'object' && input !== null && 'alert_type' in input && !Array.isArray(input);
  const result = isBuyMore ? buyMoreCheck(input) : pipelineCheck(input);
  if (!result.ok) return result;
  if (JSON.stringify(result.value).length > MAX_MANUAL_ALERT_CHARS) {
    return {
      ok: false,
      errors: [{ field: '(body)', message: `is longer than ${MAX_MANUAL_ALERT_CHARS} characters` }],
    };
  }
  const value: ManualAlert = isBuyMore
    ? { kind: 'buy_more', alert: result.value as BuyMoreAlert }
    : { kind: 'pipeline', alert: result.value as PipelineAlert };
  return { ok: true, value };
};

/** `POST /alerts/{id}/ack`: who acknowledges, why, and for how long the silence lasts. */
export const AckSchema = Type.Object(
  {
    acknowledged_by: Type.String({
      pattern: '^[^\\u0000-\\u001f]{1,100}$',
      description: 'a name of 1 to 100 printable characters',
    }),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    duration_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
  },
  { additionalProperties: true },
);
export type AckRequest = Static<typeof AckSchema>;
export const ackValidator: Validator<AckRequest> = compileValidator(AckSchema);
