import type { Router } from 'express';
import { isRoleCheck, type RoleCheck } from '../../exporter/src/http/auth.js';
import type { TestExporter } from '../helpers/exporter.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle?: { stack?: Layer[] };
}

export interface MountedRoute {
  key: string;
  method: string;
  path: string;
  check: RoleCheck | undefined;
}

/** Every route of the app, walking express's router stack (mounted routers included). */
export function mountedRoutes(tw: TestExporter): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const checks = layer.route.stack.map((l) => l.handle).filter(isRoleCheck);
        for (const method of Object.keys(layer.route.methods)) {
          const m = method.toUpperCase();
          out.push({
            key: `${m} ${layer.route.path}`,
            method: m,
            path: layer.route.path,
            check: checks[0],
          });
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((tw.exporter.app as unknown as { router: Router & { stack: Layer[] } }).router.stack);
  return out;
}
