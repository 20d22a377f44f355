import type { FamiliesFor, MetricRegistry } from '../metrics/registry.js';
import { pipelineMetrics } from './metrics.js';
import type { RunSummary, StageSummary } from './summary.js';

const RUN_STATUSES = ['completed', 'failed'] as const;

/** (stage, reason) label pairs by a key of both. */
type ReasonPairs = Map<string, [stage: string, reason: string]>;
const pairKey = (stage: string, reason: string) => `${stage}\u0000${reason}`;

export type RunEnd = Omit<RunSummary, 'stages' | 'runId'>;

/**
 * Turns finished stages and runs into metrics. The HTTP path and the SDK both come through
 * here, so the same run produces the same series whichever way it arrives.
 *
 * Counters and histograms count every run. The "latest run" gauges (stage symbols in, out and
 * eliminated by reason, final candidates, timestamps, streak of empty runs) follow the run that ended last, so runs that
 * arrive late (batches, retries) cannot move them backwards.
 */
export class PipelineRecorder {
  readonly families: FamiliesFor<typeof pipelineMetrics>;
  private readonly emptyRunStreak = new Map<string, number>();
  private readonly lastEnd = new Map<string, number>();
  private readonly knownStages = new Map<string, Set<string>>();
  /** Per pipeline, the (stage, reason) pairs the eliminated-symbols gauge shows for the latest run. */
  private readonly shownReasons = new Map<string, ReasonPairs>();
  /** Per pipeline, the pairs of the run whose stages are being recorded. */
  private readonly pendingReasons = new Map<string, ReasonPairs>();

  constructor(registry: MetricRegistry) {
    this.families = registry.registerAll(pipelineMetrics);
  }

  /** A stage's counters and timing, and (unless the run is older than the latest) its gauges. */
  recordStage(pipeline: string, stage: StageSummary, isLatest = true): void {
    const f = this.families;
    const labels = [pipeline, stage.stage];
    f.stageDuration.observe(labels, stage.durationSeconds, stage.exemplar);
    f.stageErrors.inc(labels, stage.errorCount);
    if (stage.failed) f.stageFailures.inc(labels);
    else f.stageFailures.init(pipeline, stage.stage);
    for (const [reason, count] of stage.eliminations) {
      f.eliminations.inc([pipeline, stage.stage, reason], count);
    }
    if (isLatest) this.applyLatestStage(pipeline, stage);
  }

  private applyLatestStage(pipeline: string, stage: StageSummary): void {
    const labels = [pipeline, stage.stage];
    this.families.stageSymbolsInput.set(labels, stage.symbolsInput);
    this.families.stageSymbolsOutput.set(labels, stage.symbolsOutput);
    let pending = this.pendingReasons.get(pipeline);
    if (!pending) this.pendingReasons.set(pipeline, (pending = new Map()));
    for (const [reason, count] of stage.eliminations) {
      this.families.stageSymbolsEliminated.set([pipeline, stage.stage, reason], count);
      pending.set(pairKey(stage.stage, reason), [stage.stage, reason]);
    }
    let known = this.knownStages.get(pipeline);
    if (!known) this.knownStages.set(pipeline, (known = new Set()));
    known.add(stage.stage);
  }

  /** Whether a run ending at this time is the pipeline's latest so far. */
  isLatest(pipeline: string, endTimestampSeconds: number): boolean {
    return endTimestampSeconds >= (this.lastEnd.get(pipeline) ?? -Infinity);
  }

  /**
   * Run-level metrics; call after the run's stages were recorded. Stages seen in earlier runs
   * but absent from this one (the run stopped early) show 0 symbols for the latest run.
   */
  recordRunEnd(run: RunEnd, stageNames: readonly string[]): void {
    const f = this.families;
    const p = [run.pipeline];
    for (const status of RUN_STATUSES) f.runs.init(run.pipeline, status);
    f.runs.inc([run.pipeline, run.status]);
    f.runDuration.observe(p, run.durationSeconds, run.exemplar);
    if (this.isLatest(run.pipeline, run.endTimestampSeconds)) this.applyLatestRun(run, stageNames);
  }

  private applyLatestRun(run: RunEnd, stageNames: readonly string[]): void {
    const f = this.families;
    const p = [run.pipeline];
    this.lastEnd.set(run.pipeline, run.endTimestampSeconds);
    const streak = run.finalCandidates === 0 ? (this.emptyRunStreak.get(run.pipeline) ?? 0) + 1 : 0;
    this.emptyRunStreak.set(run.pipeline, streak);
    f.consecutiveEmptyRuns.set(p, streak);
    f.finalCandidates.set(p, run.finalCandidates);
    f.lastRunTimestamp.set(p, run.endTimestampSeconds);
    if (run.status === 'completed') f.lastSuccessTimestamp.set(p, run.endTimestampSeconds);
    else f.lastSuccessTimestamp.labels(run.pipeline);
    if (run.healthScore !== undefined) f.healthScore.set(p, run.healthScore);
    f.fallbackActive.set(p, run.fallbackDetected ? 1 : 0);
    for (const stage of this.knownStages.get(run.pipeline) ?? []) {
      if (stageNames.includes(stage)) continue;
      f.stageSymbolsInput.set([run.pipeline, stage], 0);
      f.stageSymbolsOutput.set([run.pipeline, stage], 0);
    }
    this.showLatestReasons(run.pipeline);
  }

  /**
   * The run just recorded is the latest: reasons the previous latest run showed that this one
   * did not report drop to 0. Only the two runs' pairs are kept (the family's series are capped
   * by the cardinality guard like any other).
   */
  private showLatestReasons(pipeline: string): void {
    const current: ReasonPairs = this.pendingReasons.get(pipeline) ?? new Map();
    this.pendingReasons.delete(pipeline);
    for (const [key, labels] of this.shownReasons.get(pipeline) ?? []) {
      if (!current.has(key)) this.families.stageSymbolsEliminated.set([pipeline, ...labels], 0);
    }
    this.shownReasons.set(pipeline, current);
  }

  /** After a restart: the "latest run" gauges from a stored run, without counting it again. */
  restoreLatest(run: RunSummary): void {
    if (!this.isLatest(run.pipeline, run.endTimestampSeconds)) return;
    for (const stage of run.stages) this.applyLatestStage(run.pipeline, stage);
    this.applyLatestRun(
      run,
      run.stages.map((s) => s.stage),
    );
  }

  recordRun(run: RunSummary): void {
    const isLatest = this.isLatest(run.pipeline, run.endTimestampSeconds);
    for (const stage of run.stages) this.recordStage(run.pipeline, stage, isLatest);
    this.recordRunEnd(
      run,
      run.stages.map((s) => s.stage),
    );
  }
}
