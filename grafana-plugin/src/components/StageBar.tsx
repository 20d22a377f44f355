import type { LinkModel } from '@grafana/data';
import { DataLinksContextMenu, type DataLinksContextMenuApi, Tooltip } from '@grafana/ui';
import React, { type CSSProperties } from 'react';

import type { FunnelStage } from '../funnel/compute';
import { formatCount } from '../funnel/format';
import type { FunnelLayout } from '../types';
import { StageTooltip } from './StageTooltip';
import type { FunnelStyles } from './styles';

interface Props {
  stage: FunnelStage;
  /** Length of the full track: the funnel's top. */
  top: number | undefined;
  color: string;
  reasonColors: Map<string, string>;
  showReasons: boolean;
  layout: FunnelLayout;
  styles: FunnelStyles;
}

/**
 * Links of the value the stage's count came from (the output series first), interpolated by
 * Grafana for that series and row, so `${__field.labels.stage}` names this stage.
 */
export function stageLinks(stage: FunnelStage): LinkModel[] {
  for (const { field, rowIndex } of stage.sources) {
    const links = field.getLinks?.({ valueRowIndex: rowIndex }) ?? [];
    if (links.length > 0) return links;
  }
  return [];
}

/** Share of the track, in percent; bars never overflow it, even if a count exceeds the top. */
function extent(n: number | undefined, top: number | undefined): number {
  if (n === undefined || top === undefined || !Number.isFinite(n) || n <= 0) return 0;
  return Math.min(n / top, 1) * 100;
}

/** A bar segment; one that stands for any symbols at all stays visible (2 px) however thin. */
function segment(
  dimension: 'width' | 'height',
  percent: number,
  background?: string,
): CSSProperties {
  const min = dimension === 'width' ? 'minWidth' : 'minHeight';
  return { [dimension]: `${percent}%`, [min]: percent > 0 ? 2 : 0, background };
}

/** The single-link anchor DataLinksContextMenu renders must fill the cell like the track does. */
const LINK_STYLE: Record<FunnelLayout, CSSProperties> = {
  horizontal: { width: '100%', height: '100%', alignItems: 'center' },
  vertical: { flex: '1 1 auto', minHeight: 0, flexDirection: 'column' },
};

export function StageBar({ stage, top, color, reasonColors, showReasons, layout, styles }: Props) {
  const dimension = layout === 'horizontal' ? 'width' : 'height';
  const eliminated = extent(stage.eliminated, top);
  const byReason = showReasons && stage.reasons.length > 0 && eliminated > 0;

  const track = (api: DataLinksContextMenuApi) => (
    <Tooltip
      content={<StageTooltip stage={stage} showReasons={showReasons} styles={styles} />}
      placement={layout === 'horizontal' ? 'bottom' : 'top'}
    >
      <div
        className={layout === 'horizontal' ? styles.trackHorizontal : styles.trackVertical}
        data-testid="funnel-bar"
        aria-label={`${stage.name}: ${formatCount(stage.count)} symbols`}
        // Older Grafana versions give openMenu only; newer ones add keyboard-ready props.
        {...(api.triggerProps ?? (api.openMenu ? { onClick: api.openMenu } : {}))}
      >
        <div
          className={styles.segment}
          style={segment(dimension, extent(stage.count, top), color)}
        />
        {byReason ? (
          stage.reasons.map((r) => (
            <div
              key={r.reason}
              className={styles.reason}
              data-reason={r.reason}
              style={segment(dimension, eliminated * r.share, reasonColors.get(r.reason))}
            />
          ))
        ) : (
          <div className={styles.eliminated} style={segment(dimension, eliminated)} />
        )}
      </div>
    </Tooltip>
  );

  return (
    <DataLinksContextMenu links={() => stageLinks(stage)} style={LINK_STYLE[layout]}>
      {track}
    </DataLinksContextMenu>
  );
}
