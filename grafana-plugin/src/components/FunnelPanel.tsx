import { css, cx } from '@emotion/css';
import type { PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { useStyles2, useTheme2 } from '@grafana/ui';
import React, { useMemo } from 'react';

import { dropOffColor, reasonColors } from '../funnel/colors';
import { buildFunnel, type Funnel, type FunnelStage, orderStages } from '../funnel/compute';
import { extractStages } from '../funnel/extract';
import { formatCount, formatPercent } from '../funnel/format';
import type { FunnelOptions } from '../types';
import { percentColumns } from './percentages';
import { StageBar } from './StageBar';
import { getStyles } from './styles';

export const NO_STAGES =
  'No pipeline stages in the query result: query tradewatch_pipeline_stage_symbols_input and ' +
  'tradewatch_pipeline_stage_symbols_output (optionally tradewatch_pipeline_stage_symbols_eliminated) ' +
  'with a stage label';

/** stage | count | bar | one column per percentage shown (`repeat(0, …)` would void it all) */
export function horizontalColumns(percentages: number): string {
  const fixed = 'minmax(0, max-content) max-content minmax(48px, 1fr)';
  return percentages > 0 ? `${fixed} repeat(${percentages}, max-content)` : fixed;
}

export function FunnelPanel({
  data,
  options,
  fieldConfig,
  width,
  height,
  id,
}: PanelProps<FunnelOptions>) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const funnel: Funnel = useMemo(
    () => buildFunnel(orderStages(extractStages(data.series, options), options)),
    [data.series, options],
  );
  const colorsByReason = useMemo(() => reasonColors(funnel.stages, theme), [funnel, theme]);

  if (funnel.stages.length === 0) {
    return (
      <PanelDataErrorView
        panelId={id}
        data={data}
        fieldConfig={fieldConfig}
        message={NO_STAGES}
        needsNumberField
      />
    );
  }

  const thresholds = fieldConfig.defaults.thresholds;
  const columns = percentColumns(options.percentages);
  const bar = (stage: FunnelStage) => (
    <StageBar
      stage={stage}
      top={funnel.top}
      color={dropOffColor(stage.dropOff, thresholds, theme)}
      reasonColors={colorsByReason}
      showReasons={options.showReasons}
      layout={options.layout}
      styles={styles}
    />
  );
  const shownReasons = options.showReasons ? [...colorsByReason] : [];

  return (
    <div
      className={styles.panel}
      style={{ width, height }}
      data-testid="funnel-panel"
      data-layout={options.layout}
    >
      {funnel.notices.length > 0 && (
        <ul className={styles.notices} role="status" data-testid="funnel-notices">
          {funnel.notices.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {options.layout === 'horizontal' ? (
        <div
          className={styles.horizontal}
          style={{ gridTemplateColumns: horizontalColumns(columns.length) }}
          role="table"
          aria-label="Pipeline funnel"
        >
          <div className={styles.row} role="row">
            <span className={styles.header} role="columnheader">
              Stage
            </span>
            <span className={cx(styles.header, styles.number)} role="columnheader">
              Symbols
            </span>
            <span role="columnheader" />
            {columns.map((c) => (
              <span
                key={c.kind}
                className={cx(styles.header, styles.number)}
                role="columnheader"
                title={c.description}
              >
                {c.header}
              </span>
            ))}
          </div>
          {funnel.stages.map((stage) => (
            <div
              key={stage.name}
              className={styles.row}
              role="row"
              data-testid="funnel-stage"
              data-stage={stage.name}
            >
              <span className={styles.stageName} role="cell" title={stage.name}>
                {stage.name}
              </span>
              <span className={styles.count} role="cell">
                {formatCount(stage.count)}
              </span>
              <div className={styles.barCell} role="cell">
                {bar(stage)}
              </div>
              {columns.map((c) => (
                <span key={c.kind} className={styles.number} role="cell" data-percent={c.kind}>
                  {formatPercent(c.value(stage))}
                </span>
              ))}
            </div>
          ))}
        </div>
      ) : (
        <ol className={styles.vertical} aria-label="Pipeline funnel">
          {funnel.stages.map((stage) => (
            <li
              key={stage.name}
              className={styles.column}
              data-testid="funnel-stage"
              data-stage={stage.name}
            >
              <div className={styles.percentList}>
                {columns.map((c) => (
                  <span key={c.kind} data-percent={c.kind} title={c.description}>
                    {formatPercent(c.value(stage))} {c.header}
                  </span>
                ))}
              </div>
              {bar(stage)}
              <span className={cx(styles.count, css({ textAlign: 'center' }))}>
                {formatCount(stage.count)}
              </span>
              <span className={styles.stageName} title={stage.name}>
                {stage.name}
              </span>
            </li>
          ))}
        </ol>
      )}
      {shownReasons.length > 0 && (
        <ul className={styles.legend} aria-label="Elimination reasons">
          {shownReasons.map(([reason, color]) => (
            <li key={reason}>
              <span className={styles.swatch} style={{ background: color }} />
              {reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
