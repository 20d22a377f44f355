/**
 * What jsdom lacks and @grafana/ui touches on import or render: matchMedia (theme and
 * breakpoint hooks), canvas text measurement, ResizeObserver. Stubs with inert answers.
 */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

import { registerStandardEditors } from './registries';

registerStandardEditors();

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string): MediaQueryList =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList,
});

HTMLCanvasElement.prototype.getContext = (() => ({
  measureText: (text: string) => ({ width: text.length * 7 }),
  fillText: () => undefined,
  fillRect: () => undefined,
})) as unknown as HTMLCanvasElement['getContext'];

window.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
};

afterEach(() => cleanup());
