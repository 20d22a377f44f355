// Allocation sampling for the soak (`node bench/soak.mjs --alloc-profile DIR`): preloaded into
// the exporter with --import, so it also runs in each worker thread (the PGlite worker). It
// samples every allocation, including objects the collections have already freed (what makes
// garbage-collection work), from BENCH_ALLOC_FROM_S to BENCH_ALLOC_TO_S seconds after start, and
// writes DIR/alloc-<threadId>.heapprofile (open in Chrome DevTools' Memory tab).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

const dir = process.env.BENCH_ALLOC_DIR;
const fromMs = Number(process.env.BENCH_ALLOC_FROM_S ?? 60) * 1000;
const toMs = Number(process.env.BENCH_ALLOC_TO_S ?? 100) * 1000;
if (dir) {
  const session = new Session();
  session.connect();
  setTimeout(async () => {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    setTimeout(async () => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(join(dir, `alloc-${threadId}.heapprofile`), JSON.stringify(profile));
    }, toMs - fromMs).unref();
  }, fromMs).unref();
}
