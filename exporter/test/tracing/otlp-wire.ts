/**
 * A protobuf reader for the tests, independent of the encoders under test: a message as its
 * fields in order, varints as bigint, fixed64 as bigint, length-delimited as bytes.
 */
export interface Field {
  field: number;
  wireType: number;
  value: bigint | Uint8Array;
}

export function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  const fixed = (size: number): bigint => {
    let result = 0n;
    for (let i = size - 1; i >= 0; i--) result = (result << 8n) | BigInt(bytes[at + i]!);
    at += size;
    return result;
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) out.push({ field, wireType, value: varint() });
    else if (wireType === 1) out.push({ field, wireType, value: fixed(8) });
    else if (wireType === 5) out.push({ field, wireType, value: fixed(4) });
    else if (wireType === 2) {
      const length = Number(varint());
      out.push({ field, wireType, value: bytes.subarray(at, at + length) });
      at += length;
    } else throw new Error(`wire type ${wireType} at byte ${at}`);
  }
  return out;
}

/** The values of `field` in a message, length-delimited ones as bytes. */
export function all(bytes: Uint8Array, field: number): (bigint | Uint8Array)[] {
  return fields(bytes)
    .filter((f) => f.field === field)
    .map((f) => f.value);
}

export function one(bytes: Uint8Array, field: number): bigint | Uint8Array {
  const values = all(bytes, field);
  if (values.length !== 1) throw new Error(`field ${field}: ${values.length} values`);
  return values[0]!;
}

export function message(bytes: Uint8Array, field: number): Uint8Array {
  const value = one(bytes, field);
  if (!(value instanceof Uint8Array)) throw new Error(`field ${field} is not length-delimited`);
  return value;
}

export const text = (bytes: bigint | Uint8Array): string =>
  new TextDecoder().decode(bytes as Uint8Array);

/** The spans of an ExportTraceServiceRequest, across its resources and scopes. */
export function requestSpans(request: Uint8Array): Uint8Array[] {
  return all(request, 1).flatMap((resourceSpans) =>
    all(resourceSpans as Uint8Array, 2).flatMap(
      (scopeSpans) => all(scopeSpans as Uint8Array, 2) as Uint8Array[],
    ),
  );
}
