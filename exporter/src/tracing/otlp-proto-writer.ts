/**
 * A protobuf writer for one pass over the spans: it appends to a scratch buffer kept between
 * exports and reserves a guessed number of bytes for each nested message's length, moving the
 * message's bytes only when the guess was wrong (lengths must be minimal varints to match the
 * library's bytes). The result is copied out, so the scratch buffer can be reused at once.
 */
export class ProtoWriter {
  pos = 0;
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  private readonly utf8 = new TextEncoder();
  /** Length-prefixed bytes of recurring strings (attribute keys, span names), bounded. */
  private readonly encoded = new Map<string, Uint8Array>();
  /** The last id written in each slot of `repeatedHex`. */
  private readonly repeated: [KeptHex, KeptHex] = [keptHex(), keptHex()];

  reset(): void {
    this.pos = 0;
  }

  /** The bytes written since the last reset, in a buffer of their own. */
  take(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Starts a length-delimited message (its tag already written), reserving `reserve` bytes. */
  begin(reserve: number): number {
    this.ensure(reserve);
    const start = this.pos;
    this.pos += reserve;
    return start;
  }

  /** Ends the message `begin` started: writes its length, moving its bytes if needed. */
  end(start: number, reserve: number): void {
    const length = this.pos - start - reserve;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buf.copyWithin(start + size, start + reserve, this.pos);
      this.pos += size - reserve;
    }
    let at = start;
    let v = length;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  /** A one-byte value: a tag of field 1–15, or a small varint. */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** An unsigned varint below 2^32 (lengths, counts, enums). */
  uint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** An int64 varint from an integral number in [-2^63, 2^63): ten bytes when negative. */
  int64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) return this.uint32(value);
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = (~low + 1) >>> 0;
      high = (~high + (low === 0 ? 1 : 0)) >>> 0;
    }
    this.ensure(10);
    while (high > 0 || low > 0x7f) {
      this.buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.buf[this.pos++] = low;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** A fixed64 of OpenTelemetry's [seconds, nanoseconds], as nanoseconds since the epoch. */
  hrTime(time: readonly [number, number]): void {
    // seconds × 1e9 passes 2^53, so it is built from 16-bit halves of the seconds, each product
    // exact, then split into 32-bit words with the carries.
    const [seconds, nanos] = time;
    const lowPart = (seconds & 0xffff) * 1e9;
    const highPart = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (lowPart >>> 0) + (highPart & 0xffff) * 0x10000 + nanos;
    const high = Math.floor(lowPart / 0x100000000) + ((highPart / 0x10000) >>> 0);
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, (high + Math.floor(low / 0x100000000)) >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string: ASCII copied byte by byte, the rest by TextEncoder. */
  string(value: string): void {
    const length = value.length;
    this.ensure(length + 5);
    const start = this.pos;
    this.uint32(length);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) return this.unicode(start, value);
      buf[at++] = code;
    }
    this.pos = at;
  }

  /**
   * A string that recurs from span to span (an attribute key, a span name): copied from its
   * bytes encoded the first time. The first 1,024 such strings are kept, for the process' life.
   */
  recurring(value: string): void {
    const known = this.encoded.get(value);
    if (known === undefined) {
      const start = this.pos;
      this.string(value);
      if (this.encoded.size < MAX_RECURRING)
        this.encoded.set(value, this.buf.slice(start, this.pos));
      return;
    }
    this.ensure(known.length);
    this.buf.set(known, this.pos);
    this.pos += known.length;
  }

  bytes(value: Uint8Array): void {
    this.uint32(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Length-delimited bytes from a hex id (trace and span ids), as the library decodes them. */
  hex(value: string): void {
    const length = value.length >>> 1;
    this.uint32(length);
    this.ensure(length);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < length * 2; i += 2) {
      buf[at++] = (nibble(value.charCodeAt(i)) << 4) | nibble(value.charCodeAt(i + 1));
    }
    this.pos = at;
  }

  /**
   * A hex id that tends to repeat from span to span (the trace id, the parent's span id): each
   * `slot` keeps the last such id with its bytes (length prefix included) and copies them when
   * the next one is the same.
   */
  repeatedHex(value: string, slot: RepeatedHexSlot): void {
    const kept = this.repeated[slot];
    if (value === kept.hex) {
      this.ensure(kept.size);
      for (let i = 0; i < kept.size; i++) this.buf[this.pos++] = kept.bytes[i] as number;
      return;
    }
    const start = this.pos;
    this.hex(value);
    const size = this.pos - start;
    if (size > kept.bytes.length) return; // not an id: nothing kept
    kept.bytes.set(this.buf.subarray(start, this.pos));
    kept.size = size;
    kept.hex = value;
  }

  private unicode(start: number, value: string): void {
    const encoded = this.utf8.encode(value);
    this.pos = start;
    this.bytes(encoded);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}

const MAX_RECURRING = 1_024;

interface KeptHex {
  hex: string;
  /** Room for a 16-byte id and its length. */
  readonly bytes: Uint8Array;
  size: number;
}

const keptHex = (): KeptHex => ({ hex: '', bytes: new Uint8Array(17), size: 0 });

/** Slots of `repeatedHex`: one per kind of id that repeats. */
export const TRACE_ID_SLOT = 0;
export const PARENT_ID_SLOT = 1;
type RepeatedHexSlot = typeof TRACE_ID_SLOT | typeof PARENT_ID_SLOT;

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** A hex digit's value; other characters decode as the library's `hexToBinary` decodes them. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}
