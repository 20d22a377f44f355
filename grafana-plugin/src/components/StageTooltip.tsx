import React from 'react';

import type { FunnelStage } from '../funnel/compute';
import { formatCount, formatPercent } from '../funnel/format';
import type { FunnelStyles } from './styles';

interface Props {
  stage: FunnelStage;
  showReasons: boolean;
  styles: FunnelStyles;
}

/** The numbers behind one bar: in, out, eliminated and, when asked for, the reasons. */
export function StageTooltip({ stage, showReasons, styles }: Props) {
  const reasons = showReasons ? stage.reasons : [];
  return (
    <div className={styles.tooltip} data-testid="funnel-tooltip">
      <div className={styles.tooltipTitle}>{stage.name}</div>
      <span>in</span>
      <span className={styles.number}>{formatCount(stage.input)}</span>
      <span />
      <span>out</span>
      <span className={styles.number}>{formatCount(stage.count)}</span>
      <span className={styles.number}>{formatPercent(stage.fromPrevious)}</span>
      <span>eliminated</span>
      <span className={styles.number}>{formatCount(stage.eliminated)}</span>
      <span className={styles.number}>{formatPercent(stage.dropOff)}</span>
      {reasons.length > 0 && <div className={styles.tooltipTitle}>eliminated by reason</div>}
      {reasons.map((r) => (
        <React.Fragment key={r.reason}>
          <span>{r.reason}</span>
          <span className={styles.number}>{formatCount(r.count)}</span>
          <span className={styles.number}>{formatPercent(r.share)}</span>
        </React.Fragment>
      ))}
    </div>
  );
}
