import type { Database } from '../storage/database.js';
import type { BufferedWrite, RowTable } from '../storage/write-buffer.js';
import type { PipelineRun } from './schema.js';
import { pipelineName } from './summary.js';

/** A run as the write buffer holds it: the JSON it is written from, made once at ingest. */
interface RunRow {
  readonly pipelineId: string;
  readonly running: boolean;
  /** `{"pipeline": ..., "run": {...}}`: one element of the statement's JSON array. */
  readonly json: string;
}

/**
 * Pipeline runs in `pipeline_runs`. A running run may be overwritten by later states; a
 * finished one never changes (a retry of it is a no-op). A batch of runs is one statement with
 * one JSON parameter: the columns are read out of each run by the database, and the same SQL
 * serves PostgreSQL and PGlite.
 */
const pipelineRuns: RowTable<RunRow> = {
  statement(rows) {
    return {
      sql: `INSERT INTO pipeline_runs (pipeline_id, pipeline, status, start_time, end_time, run)
            SELECT r.run->>'pipeline_id', r.pipeline, r.run->>'status',
                   (r.run->>'start_time')::timestamptz, (r.run->>'end_time')::timestamptz, r.run
              FROM jsonb_to_recordset($1::jsonb) AS r(pipeline text, run jsonb)
            ON CONFLICT (pipeline_id) DO UPDATE
              SET status = EXCLUDED.status, start_time = EXCLUDED.start_time,
                  end_time = EXCLUDED.end_time, run = EXCLUDED.run, received_at = NOW()
              WHERE pipeline_runs.status = 'running'`,
      params: [
        `[${collapse(rows)
          .map((r) => r.json)
          .join(',')}]`,
      ],
    };
  },
};

/**
 * One row per run, as writing them in order would leave it: later states replace a running
 * one, and the first finished state stays. Map order is first arrival, which is fine: the rows
 * have distinct keys once collapsed.
 */
function collapse(rows: readonly RunRow[]): RunRow[] {
  const byId = new Map<string, RunRow>();
  for (const row of rows) {
    const earlier = byId.get(row.pipelineId);
    if (!earlier || earlier.running) byId.set(row.pipelineId, row);
  }
  return [...byId.values()];
}

export function saveRun(run: PipelineRun): BufferedWrite {
  return {
    table: pipelineRuns,
    row: {
      pipelineId: run.pipeline_id,
      running: run.status === 'running',
      json: JSON.stringify({ pipeline: pipelineName(run), run }),
    },
  };
}

/** The most recently received runs, newest first, as they were received. */
export async function loadRecentRuns(db: Database, limit: number): Promise<PipelineRun[]> {
  const rows = await db.query<{ run: PipelineRun }>(
    'SELECT run FROM pipeline_runs ORDER BY received_at DESC, start_time DESC LIMIT $1',
    [limit],
  );
  return rows.map((r) => r.run);
}

/** The stored runs with these ids, oldest first. */
export async function loadRuns(db: Database, ids: readonly string[]): Promise<PipelineRun[]> {
  const rows = await db.query<{ run: PipelineRun }>(
    'SELECT run FROM pipeline_runs WHERE pipeline_id = ANY($1) ORDER BY start_time, pipeline_id',
    [ids],
  );
  return rows.map((r) => r.run);
}
