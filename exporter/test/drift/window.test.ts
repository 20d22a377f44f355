import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/drift/observation.js';
import { CurrentWindow } from '../../src/drift/window.js';

const obs = (i: number, x = i): Observation => ({
  id: `p${i}`,
  timeSeconds: i,
  values: [x],
  prediction: x,
});

describe('the current window', () => {
  it('holds at most its size whatever the traffic, dropping the oldest', () => {
    const w = new CurrentWindow(100, 0);
    for (let i = 0; i < 100_000; i++) w.push(obs(i));
    expect(w.size).toBe(100);
    expect(w.snapshot().map((o) => o.id)).toEqual(
      Array.from({ length: 100 }, (_, i) => `p${99_900 + i}`),
    );
    expect(w.has('p99899')).toBe(false);
    expect(w.get('p99999')?.timeSeconds).toBe(99_999);
  });

  it('drops predictions older than its time limit', () => {
    const w = new CurrentWindow(1000, 60);
    for (let i = 0; i < 200; i++) w.push(obs(i));
    w.expire(199);
    expect(w.snapshot()[0]?.timeSeconds).toBe(139);
    expect(w.size).toBe(61);
  });
});
