/** Panel options, as saved in the dashboard JSON. */
export type FunnelLayout = 'horizontal' | 'vertical';

/** `size` puts the widest stage first; `configured` follows `stageOrder`. */
export type StageOrdering = 'size' | 'configured';

/** The percentages a stage can show; all are computed from the counts. */
export type PercentKind = 'fromPrevious' | 'fromFirst' | 'dropOff';

export interface FunnelOptions {
  layout: FunnelLayout;
  ordering: StageOrdering;
  /** Stage names, comma- or newline-separated; stages not listed follow, by size. */
  stageOrder: string;
  showReasons: boolean;
  percentages: PercentKind[];
  /** Label (or table column) that names the stage. */
  stageLabel: string;
  /** Label (or table column) that names the elimination reason. */
  reasonLabel: string;
  /** Query refIds whose results are stage inputs, outputs or eliminations; empty: by metric name. */
  inputQuery: string;
  outputQuery: string;
  eliminationsQuery: string;
}

export const defaultOptions: FunnelOptions = {
  layout: 'horizontal',
  ordering: 'size',
  stageOrder: '',
  showReasons: true,
  percentages: ['fromPrevious', 'fromFirst', 'dropOff'],
  stageLabel: 'stage',
  reasonLabel: 'reason',
  inputQuery: '',
  outputQuery: '',
  eliminationsQuery: '',
};
