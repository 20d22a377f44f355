import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from '../../src/http/ingest.js';

// Depth counts objects and arrays from the body itself (depth 0); scalars add none.
describe('nestedDeeperThan', () => {
  it('counts objects and arrays alike, and ignores scalars', () => {
    const body = [[[]], 1, 'x', null]; // arrays at depths 0, 1, 2
    expect(nestedDeeperThan(body, 2)).toBe(true);
    expect(nestedDeeperThan(body, 3)).toBe(false);
    expect(nestedDeeperThan({ a: { b: { c: 1 } } }, 2)).toBe(true);
    expect(nestedDeeperThan({ a: { b: { c: 1 } } }, 3)).toBe(false);
    expect(nestedDeeperThan(42, 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
  });

  it('finds the deep branch among shallow siblings', () => {
    let deep: unknown = {};
    for (let i = 0; i < 40; i++) deep = { next: [deep] }; // 81 levels
    const body = { shallow: [1, 2, 3], other: { x: 1 }, deep };
    expect(nestedDeeperThan(body, 32)).toBe(true);
    expect(nestedDeeperThan(body, 82)).toBe(false);
  });

  it('walks own "__proto__" keys of parsed JSON', () => {
    const body: unknown = JSON.parse('{"__proto__": {"a": {"b": {}}}}');
    expect(nestedDeeperThan(body, 3)).toBe(true);
    expect(nestedDeeperThan(body, 4)).toBe(false);
  });
});
