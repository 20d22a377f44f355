import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { timestampMs } from '../src/timestamps.js';
import { checkTimestamp, compileValidator, Timestamp, type FieldError } from '../src/validation.js';

describe('Timestamp format and checkTimestamp', () => {
  const check = compileValidator(Type.Object({ at: Timestamp }), (value) => {
    const errors: FieldError[] = [];
    checkTimestamp('at', value.at, errors);
    return errors;
  });
  const problems = (at: string) => {
    const result = check({ at });
    return result.ok ? [] : result.errors.map((e) => `${e.field}: ${e.message}`);
  };

  it('keeps what RFC 3339 admits beyond the common form, and what Date can read of it', () => {
    expect(problems('2025-10-12 12:34:56Z')).toEqual([]);
    expect(problems('2025-10-12t12:34:56z')).toEqual([]);
    expect(problems('2025-10-12T12:34:56+0530')).toEqual([]);
    expect(timestampMs('2025-10-12T12:34:56+0530')).toBe(Date.UTC(2025, 9, 12, 7, 4, 56));
    expect(problems('2016-12-31T23:59:60Z')).toEqual([
      'at: is not a time this service can read (use e.g. 2025-09-03T14:30:22Z)',
    ]);
  });

  it('names the field of a time that is not RFC 3339 or not plausible', () => {
    expect(problems('2025-02-29T00:00:00Z')).toEqual(['at: must match format "date-time"']);
    expect(problems('2025-10-12T12:34:56')).toEqual(['at: must match format "date-time"']);
    expect(problems('1999-12-31T23:59:59Z')).toEqual(['at: is before 2000-01-01']);
    expect(problems('2999-01-01T00:00:00Z')).toEqual(['at: is more than a day in the future']);
  });

  it('judges the future against the clock reading it is given', () => {
    const errors: FieldError[] = [];
    const now = Date.UTC(2025, 9, 12);
    expect(checkTimestamp('a', '2025-10-13T00:00:00Z', errors, now)).toBe(now / 1000 + 86_400);
    expect(errors).toEqual([]);
    checkTimestamp('b', '2025-10-13T00:00:00.001Z', errors, now);
    expect(errors).toEqual([{ field: 'b', message: 'is more than a day in the future' }]);
  });
});
