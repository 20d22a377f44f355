import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { render } from './render.js';

/** `npm run dashboards`: writes dashboards/generated/*.json (committed; a test compares them). */
const dir = fileURLToPath(new URL('../generated/', import.meta.url));
const files = await render();
await mkdir(dir, { recursive: true });
// A dashboard that was removed must not stay provisioned from a stale file.
for (const name of await readdir(dir)) {
  if (name.endsWith('.json') && !(name in files)) await rm(`${dir}${name}`);
}
for (const [name, text] of Object.entries(files)) await writeFile(`${dir}${name}`, text);
console.log(`wrote ${Object.keys(files).length} dashboards to ${dir}`);
