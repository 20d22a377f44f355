import type { FunnelStage } from '../funnel/compute';
import type { PercentKind } from '../types';

interface PercentColumn {
  kind: PercentKind;
  header: string;
  /** What the number means, for the column header's title. */
  description: string;
  value: (stage: FunnelStage) => number | undefined;
}

/** Fixed order, whatever order the options list them in: columns must not move around. */
const COLUMNS: PercentColumn[] = [
  {
    kind: 'fromPrevious',
    header: 'of previous',
    description: 'Conversion from the previous stage: symbols out ÷ symbols in',
    value: (s) => s.fromPrevious,
  },
  {
    kind: 'fromFirst',
    header: 'of first',
    description: 'Conversion from the first stage: symbols out ÷ symbols that entered the funnel',
    value: (s) => s.fromFirst,
  },
  {
    kind: 'dropOff',
    header: 'drop-off',
    description: 'Share of the symbols that entered the stage that it eliminated',
    value: (s) => s.dropOff,
  },
];

export function percentColumns(shown: PercentKind[]): PercentColumn[] {
  return COLUMNS.filter((c) => shown.includes(c.kind));
}
