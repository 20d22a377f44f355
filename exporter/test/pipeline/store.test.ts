import { afterEach, describe, expect, it } from 'vitest';
import { seedRun } from '../../../test/helpers/payloads.js';
import type { PipelineRun } from '../../src/pipeline/schema.js';
import { loadRecentRuns, saveRun } from '../../src/pipeline/store.js';
import { migrate } from '../../src/storage/migrations.js';
import { WriteBuffer } from '../../src/storage/write-buffer.js';
import { BACKENDS, type FreshDatabase } from '../storage/backends.js';

function run(id: string, status: PipelineRun['status'], score = 0): PipelineRun {
  const r: PipelineRun = {
    ...seedRun(),
    pipeline_id: id,
    status,
    pipeline_health_score: score,
  };
  if (status === 'running') delete r.end_time;
  return r;
}

describe.each(BACKENDS)('pipeline runs on $name', (backend) => {
  let fresh: FreshDatabase | undefined;
  afterEach(async () => {
    await fresh?.cleanup();
    fresh = undefined;
  });

  /** Writes `runs` through a write buffer, `batchSize` to a statement. */
  async function write(batches: PipelineRun[][], batchSize = 1000) {
    fresh ??= await backend.fresh();
    const db = fresh.db;
    await migrate(db);
    const buffer = new WriteBuffer(db, { capacity: 10_000, batchSize, flushIntervalMs: 1 });
    buffer.start();
    for (const runs of batches) {
      buffer.enqueue(runs.map(saveRun));
      expect(await buffer.flush(5000)).toBe(true);
    }
    await buffer.stop();
    return db.query<{ pipeline_id: string; pipeline: string; status: string; run: PipelineRun }>(
      'SELECT pipeline_id, pipeline, status, start_time, end_time, run FROM pipeline_runs ORDER BY pipeline_id',
    );
  }

  it('writes a batch as rows column for column, the run as received', async () => {
    const runs = Array.from({ length: 300 }, (_, i) =>
      run(`discovery_20250903_${1000 + i}`, 'completed'),
    );
    const rows = await write([runs], 500);
    expect(rows).toHaveLength(300);
    expect(rows[0]).toEqual({
      pipeline_id: 'discovery_20250903_1000',
      pipeline: 'discovery',
      status: 'completed',
      start_time: new Date(runs[0]!.start_time),
      end_time: new Date(runs[0]!.end_time!),
      run: runs[0],
    });
    const recent = await loadRecentRuns(fresh!.db, 5);
    expect(recent).toHaveLength(5);
  });

  it('leaves what writing one run at a time would: running replaced, the first finished kept', async () => {
    const inOneStatement = await write([
      [
        run('a', 'running'),
        run('a', 'completed', 3),
        run('a', 'failed', 4),
        run('b', 'running'),
        run('b', 'running', 7),
        run('c', 'completed', 1),
      ],
      // A later batch changes nothing that has finished, and writes nothing twice.
      [run('c', 'completed', 2), run('b', 'completed', 8), run('a', 'completed', 9)],
    ]);
    expect(
      inOneStatement.map((r) => [r.pipeline_id, r.status, r.run.pipeline_health_score]),
    ).toEqual([
      ['a', 'completed', 3],
      ['b', 'completed', 8],
      ['c', 'completed', 1],
    ]);
  });

  it('keeps a running state that arrives after its run finished out', async () => {
    const rows = await write([[run('d', 'failed', 2)], [run('d', 'running', 5)]]);
    expect(rows.map((r) => [r.status, r.run.pipeline_health_score])).toEqual([['failed', 2]]);
  });
});
