import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { commonTimestampMs, timestampMs } from './timestamps.js';

/** One problem with an input, named by its path (`stages[1].symbols_output`). */
export interface FieldError {
  field: string;
  message: string;
}

/** Keeps a schema as is but gives it a hand-written static type (index signatures TypeBox lacks). */
export function Typed<T>(schema: TSchema) {
  return Type.Unsafe<T>(schema);
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Names that end up as label values: short identifiers, so they read well in PromQL. */
export const IDENTIFIER_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$';
export const Identifier = Type.String({
  pattern: IDENTIFIER_PATTERN,
  description: "letters, digits, '_', '.', ':' or '-', at most 100",
});
export const Count = Type.Integer({ minimum: 0 });

/** A map keyed by identifiers (elimination reasons, API names); other keys are refused. */
export function IdentifierRecord<V extends TSchema>(
  value: V,
  options: { maxProperties?: number; default?: object } = {},
) {
  return Type.Record(Type.String({ pattern: IDENTIFIER_PATTERN }), value, {
    additionalProperties: false,
    ...options,
  });
}
export const NonNegative = Type.Number({ minimum: 0 });
/** One of a closed set of strings (reported as "must be one of: a, b"). */
export function Enum<const T extends readonly string[]>(
  values: T,
  options: { default?: T[number] } = {},
) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** RFC 3339 with a time zone, as the upstream payloads send it. */
export const Timestamp = Type.String({ format: 'date-time', maxLength: 64 });

/** Timestamps outside this window are mistakes (epoch zero, ms-for-seconds, far future). */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const MAX_FUTURE_MS = 24 * 3600 * 1000;

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  strictNumbers: true,
  coerceTypes: false,
  verbose: true, // errors carry their schema, so patterns are explained by its description
});
const fullDateTime = addFormats.default.get('date-time', 'full') as {
  validate: (text: string) => boolean;
};
// ajv-formats' RFC 3339 check (full mode), with the common form read directly first: the full
// check splits the text and runs three regular expressions, the costliest part of validating
// an engine snapshot.
ajv.addFormat('date-time', {
  type: 'string',
  validate: (text: string) => !Number.isNaN(commonTimestampMs(text)) || fullDateTime.validate(text),
});

export interface Validator<T> {
  (input: unknown): Validation<T>;
}

/**
 * Compiles a JSON Schema (built with TypeBox, so types follow from it) plus optional semantic
 * checks that JSON Schema cannot express, such as "output <= input".
 */
export function compileValidator<S extends TSchema>(
  schema: S,
  semantic: (value: Static<S>) => FieldError[] = () => [],
): Validator<Static<S>> {
  return compileReader(schema, (value, errors) => {
    for (const error of semantic(value)) errors.push(error);
    return value;
  });
}

/**
 * Like compileValidator, but the semantic step also reads the value into what the caller
 * needs (adding any problem to `errors`), so what it parsed to check is not parsed again.
 */
export function compileReader<S extends TSchema, R>(
  schema: S,
  read: (value: Static<S>, errors: FieldError[]) => R,
): Validator<R> {
  const check = ajv.compile<Static<S>>(schema);
  return (input) => {
    if (!check(input)) return { ok: false, errors: (check.errors ?? []).map(toFieldError) };
    const errors: FieldError[] = [];
    const value = read(input, errors);
    return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
  };
}

/** Validates a single object or an array of them; errors in arrays are prefixed `[i]`. */
export function validateBatch<T>(
  validator: Validator<T>,
  input: unknown,
  maxBatch: number,
): Validation<T[]> {
  if (!Array.isArray(input)) {
    const result = validator(input);
    return result.ok ? { ok: true, value: [result.value] } : result;
  }
  if (input.length === 0)
    return { ok: false, errors: [{ field: '(body)', message: 'is an empty batch' }] };
  if (input.length > maxBatch) {
    return {
      ok: false,
      errors: [
        { field: '(body)', message: `holds ${input.length} items, at most ${maxBatch} allowed` },
      ],
    };
  }
  const values: T[] = [];
  const errors: FieldError[] = [];
  input.forEach((item, i) => {
    const result = validator(item);
    if (result.ok) values.push(result.value);
    else
      for (const e of result.errors)
        errors.push({ field: joinPath(`[${i}]`, e.field), message: e.message });
  });
  return errors.length === 0 ? { ok: true, value: values } : { ok: false, errors };
}

/**
 * Parses a validated RFC 3339 timestamp and checks it is plausible; seconds since the epoch.
 * `nowMs` lets a caller checking several timestamps read the clock once.
 */
export function checkTimestamp(
  field: string,
  text: string,
  errors: FieldError[],
  nowMs?: number,
): number {
  const ms = timestampMs(text);
  // The date-time format admits leap seconds and hour-only offsets that Date cannot read.
  if (Number.isNaN(ms))
    errors.push({
      field,
      message: 'is not a time this service can read (use e.g. 2025-09-03T14:30:22Z)',
    });
  else if (ms < EARLIEST_MS) errors.push({ field, message: 'is before 2000-01-01' });
  else if (ms > (nowMs ?? Date.now()) + MAX_FUTURE_MS)
    errors.push({ field, message: 'is more than a day in the future' });
  return ms / 1000;
}

function joinPath(prefix: string, field: string): string {
  if (field === '(body)') return prefix;
  return field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`;
}

export function toFieldError(error: ErrorObject): FieldError {
  let path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    path = path ? `${path}.${missing}` : missing;
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    path = path ? `${path}.${key}` : key;
    message = 'is not an allowed key';
  } else if (error.keyword === 'enum') {
    message = `must be one of: ${(error.params.allowedValues as string[]).join(', ')}`;
  } else if (error.keyword === 'pattern' && error.parentSchema?.description) {
    message = `must be ${String(error.parentSchema.description)}`;
  } else if (error.keyword === 'propertyNames') {
    message = `has a key that is not ${IDENTIFIER_PATTERN}`;
  }
  return { field: path || '(body)', message };
}
