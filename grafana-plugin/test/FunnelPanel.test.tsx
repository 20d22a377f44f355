import { createTheme, type DataFrame, type GrafanaTheme2, ThemeContext } from '@grafana/data';
import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';
import { describe, expect, it } from 'vitest';

import { FunnelPanel } from '../src/components/FunnelPanel';
import type { FunnelOptions } from '../src/types';
import { perStageFrames, RUN, seriesFrame } from './fixtures';
import { plugin } from '../src/module';
import { fieldConfigWith as fieldConfigOf, panelProps } from './panelProps';

const fieldConfigWith = (defaults: Parameters<typeof fieldConfigOf>[1] = {}) =>
  fieldConfigOf(plugin, defaults);

const dark = createTheme({ colors: { mode: 'dark' } });
const light = createTheme({ colors: { mode: 'light' } });

function renderPanel(
  frames: DataFrame[],
  options: Partial<FunnelOptions> = {},
  fieldConfig = fieldConfigWith(),
  theme: GrafanaTheme2 = dark,
) {
  return render(
    <ThemeContext.Provider value={theme}>
      <FunnelPanel {...panelProps(plugin, frames, theme, options, fieldConfig)} />
    </ThemeContext.Provider>,
  );
}

function rowTexts(): string[][] {
  return screen
    .getAllByTestId('funnel-stage')
    .map((row) => [...row.querySelectorAll('[role="cell"]')].map((c) => c.textContent ?? ''));
}

describe('FunnelPanel', () => {
  it('shows every stage with its count and percentages (horizontal)', () => {
    renderPanel(perStageFrames());
    expect(rowTexts()).toEqual([
      ['universe_loading', '2,847', '', '100.0%', '100.0%', '0%'],
      ['price_filtering', '1,249', '', '43.9%', '43.9%', '56.1%'],
      ['volume_filtering', '87', '', '7.0%', '3.1%', '93.0%'],
      ['squeeze_detection', '12', '', '13.8%', '0.42%', '86.2%'],
      ['final_ranking', '8', '', '66.7%', '0.28%', '33.3%'],
    ]);
    expect(screen.queryByTestId('funnel-notices')).toBeNull();
  });

  it('shows only the percentages asked for', () => {
    renderPanel(perStageFrames(), { percentages: ['dropOff'] });
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Stage',
      'Symbols',
      '',
      'drop-off',
    ]);
    expect(rowTexts()[2]).toEqual(['volume_filtering', '87', '', '93.0%']);
  });

  it('with no percentages, a valid grid of stage, count and bar', () => {
    renderPanel(perStageFrames(), { percentages: [] });
    const table = screen.getByRole('table');
    expect(table.style.gridTemplateColumns).toBe(
      'minmax(0, max-content) max-content minmax(48px, 1fr)',
    );
    expect(rowTexts()[0]).toEqual(['universe_loading', '2,847', '']);
  });

  it('vertical layout, in the configured order', () => {
    renderPanel(perStageFrames(), {
      layout: 'vertical',
      ordering: 'configured',
      stageOrder: 'final_ranking, universe_loading',
    });
    const columns = screen.getAllByTestId('funnel-stage');
    expect(screen.getByTestId('funnel-panel').dataset['layout']).toBe('vertical');
    expect(columns.map((c) => c.dataset['stage'])).toEqual([
      'final_ranking',
      'universe_loading',
      'price_filtering',
      'volume_filtering',
      'squeeze_detection',
    ]);
    expect(within(columns[0]!).getByText('66.7% of previous')).toBeTruthy();
  });

  it('stacks eliminations by reason, sized by their shares, with a legend', () => {
    renderPanel(perStageFrames());
    const price = screen.getAllByTestId('funnel-bar')[1]!;
    const segments = [...price.querySelectorAll<HTMLElement>('[data-reason]')];
    expect(segments.map((s) => s.dataset['reason'])).toEqual(['price_too_high', 'price_too_low']);
    // (1598 / 2847) of the track, split 1432 : 166.
    expect(parseFloat(segments[0]!.style.width)).toBeCloseTo((1432 / 2847) * 100, 6);
    expect(parseFloat(segments[1]!.style.width)).toBeCloseTo((166 / 2847) * 100, 6);
    const legend = screen.getByRole('list', { name: 'Elimination reasons' });
    expect(
      within(legend)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'price_too_high',
      'price_too_low',
      'insufficient_volume_spike',
      'low_vigl_score',
      'high_wolf_risk',
    ]);
  });

  it('without the reason breakdown, one eliminated segment and no legend', () => {
    renderPanel(perStageFrames(), { showReasons: false });
    expect(document.querySelectorAll('[data-reason]')).toHaveLength(0);
    expect(screen.queryByRole('list', { name: 'Elimination reasons' })).toBeNull();
  });

  it('colours survivors by drop-off thresholds', () => {
    const thresholds = {
      mode: 'absolute' as const,
      steps: [
        { value: -Infinity, color: 'green' },
        { value: 90, color: 'red' },
      ],
    };
    renderPanel(perStageFrames(), {}, fieldConfigWith({ thresholds: thresholds as never }), light);
    const survivorColor = (i: number) =>
      (screen.getAllByTestId('funnel-bar')[i]!.firstElementChild as HTMLElement).style.background;
    const green = light.visualization.getColorByName('green');
    const red = light.visualization.getColorByName('red');
    const rgb = (hex: string) => {
      const el = document.createElement('div');
      el.style.background = hex;
      return el.style.background;
    };
    expect(survivorColor(1)).toBe(rgb(green)); // 56.1 %
    expect(survivorColor(2)).toBe(rgb(red)); // 93.0 %
  });

  it('a data link per stage, interpolated with that stage', () => {
    const links = [
      {
        title: 'Trace of the last run',
        url: 'https://traces.example/search?stage=${__field.labels.stage}',
      },
    ];
    renderPanel(perStageFrames(), {}, fieldConfigWith({ links }));
    const anchors = screen.getAllByTestId('funnel-stage').map((row) => row.querySelector('a'));
    expect(anchors.map((a) => a?.getAttribute('href'))).toEqual(
      RUN.map((s) => `https://traces.example/search?stage=${s.stage}`),
    );
    expect(anchors[0]!.getAttribute('title')).toBe('Trace of the last run');
  });

  it('several links open a menu', async () => {
    const links = [
      { title: 'Trace', url: 'https://traces.example/${__field.labels.stage}' },
      { title: 'Logs', url: 'https://logs.example/${__field.labels.stage}' },
    ];
    renderPanel(perStageFrames(), {}, fieldConfigWith({ links }));
    fireEvent.click(screen.getAllByTestId('funnel-bar')[2]!);
    const menu = await screen.findByRole('menu');
    expect(within(menu).getByText('Logs').closest('a')?.getAttribute('href')).toBe(
      'https://logs.example/volume_filtering',
    );
  });
});

describe('messages instead of a broken funnel', () => {
  it('empty data', () => {
    renderPanel([]);
    expect(screen.getByText(/No pipeline stages in the query result/)).toBeTruthy();
    expect(screen.queryByTestId('funnel-stage')).toBeNull();
  });

  it('a single stage', () => {
    renderPanel([seriesFrame('A', { stage: 'universe_loading' }, [2847])]);
    expect(screen.getByRole('status').textContent).toMatch(/Only one stage \(universe_loading\)/);
    expect(rowTexts()).toEqual([['universe_loading', '2,847', '', '–', '100.0%', '–']]);
  });

  it('zero input', () => {
    renderPanel([seriesFrame('A', { stage: 'a' }, [0]), seriesFrame('A', { stage: 'b' }, [0])], {
      ordering: 'configured',
      stageOrder: 'a,b',
    });
    expect(screen.getByRole('status').textContent).toMatch(
      /The first stage, a, received no symbols/,
    );
    expect(rowTexts().map((r) => r.slice(1))).toEqual([
      ['0', '', '–', '–', '–'],
      ['0', '', '–', '–', '–'],
    ]);
  });

  it('NaN', () => {
    renderPanel([
      seriesFrame('A', { stage: 'a' }, [100]),
      seriesFrame('A', { stage: 'b' }, [Number.NaN]),
      seriesFrame('A', { stage: 'c' }, [null]),
    ]);
    expect(screen.getByRole('status').textContent).toMatch(
      /b has no usable number \(NaN or empty\)/,
    );
    expect(rowTexts()).toEqual([
      ['a', '100', '', '–', '100.0%', '–'],
      ['b', '–', '', '–', '–', '–'],
      ['c', '–', '', '–', '–', '–'],
    ]);
  });
});
