import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { commonTimestampMs } from '../src/timestamps.js';

/** ajv-formats' own RFC 3339 check, which the fast reading must never contradict. */
const rfc3339 = (
  addFormats.default.get('date-time', 'full') as { validate: (s: string) => boolean }
).validate;

describe('commonTimestampMs', () => {
  it('reads the common form, offsets and fractions (values computed by hand)', () => {
    // 12:34:56 at +05:30 is 07:04:56 UTC.
    expect(commonTimestampMs('2025-10-12T12:34:56+05:30')).toBe(Date.UTC(2025, 9, 12, 7, 4, 56));
    expect(commonTimestampMs('2025-10-12T12:34:56-08:00')).toBe(Date.UTC(2025, 9, 12, 20, 34, 56));
    expect(commonTimestampMs('2025-10-12T12:34:56Z')).toBe(1_760_272_496_000);
    expect(commonTimestampMs('2025-10-12T12:34:56.5Z')).toBe(1_760_272_496_500);
    expect(commonTimestampMs('2025-10-12T12:34:56.07Z')).toBe(1_760_272_496_070);
    // Past milliseconds the digits are cut, not rounded, as Date.parse does.
    expect(commonTimestampMs('2025-10-12T12:34:56.123999Z')).toBe(1_760_272_496_123);
    expect(commonTimestampMs('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(commonTimestampMs('2000-02-29T23:59:59Z')).toBe(Date.UTC(2000, 1, 29, 23, 59, 59));
    expect(commonTimestampMs('1970-01-01T00:00:00Z')).toBe(0);
    expect(commonTimestampMs('0000-03-01T00:00:00Z')).toBe(-62_162_035_200_000);
  });

  it.each([
    ['2025-10-12t12:34:56z', 'lower-case letters'],
    ['2025-10-12 12:34:56Z', 'a space for T'],
    ['2025-10-12T12:34:56+0530', 'an offset without colon'],
    ['2025-10-12T12:34:56+05', 'an hour-only offset'],
    ['2025-10-12T12:34:56', 'no zone'],
    ['2025-10-12T23:59:60Z', 'a leap second'],
    ['2025-02-29T00:00:00Z', 'February 29 of a common year'],
    ['1900-02-29T00:00:00Z', 'February 29 of a century year'],
    ['2025-04-31T00:00:00Z', 'April 31'],
    ['2025-13-01T00:00:00Z', 'month 13'],
    ['2025-00-01T00:00:00Z', 'month 0'],
    ['2025-10-00T00:00:00Z', 'day 0'],
    ['2025-10-12T24:00:00Z', 'hour 24'],
    ['2025-10-12T12:60:00Z', 'minute 60'],
    ['2025-10-12T12:34:56+24:00', 'offset hour 24'],
    ['2025-10-12T12:34:56+05:60', 'offset minute 60'],
    ['2025-10-12T12:34:56.Z', 'a dot without digits'],
    ['2025-10-12T12:34:56Z ', 'a trailing space'],
    ['2025-10-12T12:34:56+05:30:00', 'trailing text after the offset'],
    ['2025-1-12T12:34:56Z', 'a one-digit month'],
    ['20x5-10-12T12:34:56Z', 'a letter in the year'],
    ['2025-10-1٢T12:34:56Z', 'a non-ASCII digit'],
    ['', 'nothing'],
  ])('leaves %j (%s) to the general checks', (text) => {
    expect(commonTimestampMs(text)).toBeNaN();
  });

  it('agrees with the RFC 3339 format check and Date.parse on everything it reads', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed % n;
    };
    const two = (max: number) => String(random(max)).padStart(2, '0');
    const pick = (options: string[]) => options[random(options.length)] as string;
    let read = 0;
    for (let i = 0; i < 50_000; i++) {
      const date = `${String(random(10_000)).padStart(4, '0')}-${two(14)}-${two(33)}`;
      const time = `${two(26)}:${two(62)}:${two(62)}`;
      const fraction = pick(['', '', '.', '.5', '.123', '.123456789', `.${random(10_000)}`]);
      const zone = pick(['Z', 'z', '', '+05:30', '-23:59', `+${two(26)}:${two(62)}`, '+0530']);
      const text = `${date}${pick(['T', 'T', 't', ' '])}${time}${fraction}${zone}`;
      const ms = commonTimestampMs(text);
      if (Number.isNaN(ms)) continue;
      read++;
      expect(rfc3339(text), text).toBe(true);
      expect(ms, text).toBe(Date.parse(text));
    }
    expect(read).toBeGreaterThan(2_000); // the generator reaches the common form often enough
  });
});
