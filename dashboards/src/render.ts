import { format, resolveConfig } from 'prettier';
import { fileURLToPath } from 'node:url';
import { dashboards } from './index.js';

/**
 * The generated files by name, as `npm run dashboards` writes them: formatted with the repo's
 * prettier settings, so `prettier --check .` accepts them and diffs stay readable.
 */
export async function render(): Promise<Record<string, string>> {
  const at = fileURLToPath(new URL('../generated/overview.json', import.meta.url));
  const options = { ...(await resolveConfig(at)), filepath: at };
  const files: Record<string, string> = {};
  for (const [name, dashboard] of Object.entries(dashboards())) {
    files[`${name}.json`] = await format(JSON.stringify(dashboard), options);
  }
  return files;
}
