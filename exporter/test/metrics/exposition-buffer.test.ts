import { describe, expect, it } from 'vitest';
import { ExpositionBuffer } from '../../src/metrics/exposition-buffer.js';

/** What the buffer holds after `write`, taken as a string. */
function written(write: (out: ExpositionBuffer) => void, capacity = 64): string {
  const out = new ExpositionBuffer(capacity);
  write(out);
  return out.take();
}

describe('ExpositionBuffer', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [7, '7'],
    [10, '10'],
    [2847, '2847'],
    [2 ** 31 - 1, '2147483647'],
    [2 ** 31, '2147483648'],
    [-3, '-3'],
    [0.1, '0.1'],
    [55.65, '55.65'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('writes the sample value %d as %s', (value, text) => {
    expect(written((out) => out.sampleValue(value))).toBe(text);
  });

  it('writes plain numbers (bucket counts) as String() does, Infinity included', () => {
    expect(written((out) => out.number(12))).toBe('12');
    expect(written((out) => out.number(Infinity))).toBe('Infinity');
    expect(written((out) => out.number(2.5))).toBe('2.5');
  });

  it('keeps text beyond ASCII, copied bytes and characters in order', () => {
    const text = written((out) => {
      out.copy(Buffer.from('m{a="é ✓"} ', 'utf8'));
      out.sampleValue(3);
      out.char(0x0a);
      out.text('n{b="日本"} 1\n');
    });
    expect(text).toBe('m{a="é ✓"} 3\nn{b="日本"} 1\n');
  });

  it('grows past its first capacity and is empty after take()', () => {
    const out = new ExpositionBuffer(4);
    out.text('a'.repeat(10));
    out.copy(Buffer.from('bcdefgh'));
    out.sampleValue(123456);
    expect(out.length).toBe(23);
    expect(out.take()).toBe(`${'a'.repeat(10)}bcdefgh123456`);
    expect(out.length).toBe(0);
    out.char(0x78);
    expect(out.take()).toBe('x');
  });
});
