/**
 * RFC 3339 timestamps read fast: ingest checks and reads several per event, and the general
 * routes (a regular-expression format check, Date.parse) cost more than the rest of an event.
 */

/** Epoch milliseconds of an RFC 3339 timestamp, NaN when Date cannot read it. */
export function timestampMs(text: string): number {
  const ms = commonTimestampMs(text);
  return Number.isNaN(ms) ? Date.parse(text) : ms;
}

/** Two ASCII digits at i as a number, -1 if either is not a digit (or is past the end). */
function twoDigits(text: string, i: number): number {
  const tens = text.charCodeAt(i) - 48;
  const ones = text.charCodeAt(i + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}
const [DASH, COLON, DOT, PLUS, T, Z] = [45, 58, 46, 43, 84, 90]; // '-', ':', '.', '+', 'T', 'Z'

/**
 * Epoch milliseconds of `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, the form payloads use,
 * read without regular expressions or allocation; NaN for any other text, which the caller
 * then hands to the general checks. Whatever this reads is valid RFC 3339 and is the value
 * Date.parse gives (fractions past milliseconds truncated, as Date.parse does).
 */
export function commonTimestampMs(text: string): number {
  const length = text.length;
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (
    length < 20 ||
    (century | yearOfCentury | month | day | hour | minute | second) < 0 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return NaN;
  }
  const year = century * 100 + yearOfCentury;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  if (day > 28 && day > daysInMonth(year, month)) return NaN;
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === DOT) {
    const start = ++i;
    for (let digit = text.charCodeAt(i) - 48; digit >= 0 && digit <= 9;) {
      if (i - start < 3) ms = ms * 10 + digit;
      digit = text.charCodeAt(++i) - 48;
    }
    if (i === start) return NaN;
    for (let read = i - start; read < 3; read++) ms *= 10;
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(i);
  if (zone === Z) {
    if (length !== i + 1) return NaN;
  } else if (zone === PLUS || zone === DASH) {
    const hours = twoDigits(text, i + 1);
    const minutes = twoDigits(text, i + 4);
    if (length !== i + 6 || text.charCodeAt(i + 3) !== COLON) return NaN;
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return NaN;
    offsetMinutes = zone === PLUS ? hours * 60 + minutes : -(hours * 60 + minutes);
  } else {
    return NaN;
  }
  const utcMinutes = daysFromCivil(year, month, day) * 1440 + hour * 60 + minute - offsetMinutes;
  return (utcMinutes * 60 + second) * 1000 + ms;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}
