/**
 * The built panel (grafana-plugin/dist/module.js) in a real browser: Debian's Chromium driven
 * by playwright-core renders it in a harness page that stands in for Grafana (which cannot run
 * here). Checks what a person would: labels and numbers, both themes and layouts, the
 * messages, the tooltip and the data links. Screenshots go to test/plugin/screenshots/
 * (ignored by git); the two the README shows are written to docs/ only with
 * UPDATE_SCREENSHOTS=1, so that a test run leaves the tree clean.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ensureChromium, launchChromium } from './chromium.js';
import { buildPlugin, type Harness, startHarness } from './harness-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = path.join(ROOT, 'test/plugin/screenshots');
/** Where the README's screenshots go: docs/ when asked to update them, else beside the others. */
const README_SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs') : SHOTS;

const RUN_ROWS = [
  ['universe_loading', '2,847', '100.0%', '100.0%', '0%'],
  ['price_filtering', '1,249', '43.9%', '43.9%', '56.1%'],
  ['volume_filtering', '87', '7.0%', '3.1%', '93.0%'],
  ['squeeze_detection', '12', '13.8%', '0.42%', '86.2%'],
  ['final_ranking', '8', '66.7%', '0.28%', '33.3%'],
];

let context: BrowserContext;
let harness: Harness;
const pageErrors: string[] = [];

async function open(query: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${query}: ${e.message}`));
  await page.goto(`${harness.url}/?${query}`);
  await page.waitForSelector('[data-testid="panel-chrome"], body[data-harness-error]');
  expect(await page.locator('body').getAttribute('data-harness-error')).toBeNull();
  return page;
}

async function shot(page: Page, name: string, target = SHOTS): Promise<void> {
  await page.getByTestId('panel-chrome').screenshot({ path: path.join(target, `${name}.png`) });
}

/** Mean of the RGB channels of a computed CSS colour (`rgb(r, g, b)` or `rgba(...)`). */
function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return (r + g + b) / 3;
}

/** Text of each horizontal row's cells, the (empty) bar cell left out. */
async function horizontalRows(page: Page): Promise<string[][]> {
  const rows = await page.getByTestId('funnel-stage').all();
  const texts = await Promise.all(rows.map((r) => r.getByRole('cell').allInnerTexts()));
  return texts.map((cells) => cells.filter((t) => t !== ''));
}

/** A computed style property, read in the page (the evaluated code is a string: no DOM types here). */
async function computed(page: Page, testId: string, property: string): Promise<string> {
  return page.evaluate(
    `getComputedStyle(document.querySelector('[data-testid="${testId}"]')).${property}`,
  );
}

beforeAll(async () => {
  ensureChromium();
  buildPlugin();
  mkdirSync(SHOTS, { recursive: true });
  harness = await startHarness();
  context = await launchChromium();
}, 600_000);

afterAll(async () => {
  await context?.close();
  await harness?.close();
  expect(pageErrors).toEqual([]);
});

describe('funnel panel in Chromium', () => {
  for (const theme of ['dark', 'light'] as const) {
    it(`horizontal, ${theme} theme: labels, numbers and reasons`, async () => {
      const page = await open(`scenario=run&theme=${theme}`);
      expect(await horizontalRows(page)).toEqual(RUN_ROWS);
      const legend = await page.getByRole('list', { name: 'Elimination reasons' }).innerText();
      expect(legend.split('\n')).toEqual([
        'price_too_high',
        'price_too_low',
        'insufficient_volume_spike',
        'low_vigl_score',
        'high_wolf_risk',
      ]);
      // The theme reaches the panel: dark or light background, text in contrast.
      const background = await computed(page, 'panel-chrome', 'backgroundColor');
      const text = await computed(page, 'funnel-panel', 'color');
      if (theme === 'dark') {
        expect(luminance(background)).toBeLessThan(60);
        expect(luminance(text)).toBeGreaterThan(180);
      } else {
        expect(luminance(background)).toBeGreaterThan(230);
        expect(luminance(text)).toBeLessThan(80);
      }
      await shot(page, `funnel-panel-${theme}`, README_SHOTS);
      await page.close();
    });

    it(`vertical, ${theme} theme`, async () => {
      const page = await open(`scenario=run&theme=${theme}&layout=vertical`);
      const columns = page.getByTestId('funnel-stage');
      expect(await columns.count()).toBe(5);
      expect(await columns.nth(2).innerText()).toBe(
        ['7.0% of previous', '3.1% of first', '93.0% drop-off', '87', 'volume_filtering'].join(
          '\n',
        ),
      );
      // Bars grow upwards and keep their proportions: 1,249 of 2,847 survive price filtering.
      const heights = await Promise.all(
        (await page.getByTestId('funnel-bar').all()).map(async (bar) => {
          const track = await bar.boundingBox();
          const survivors = await bar.locator(':scope > div').first().boundingBox();
          return (survivors?.height ?? 0) / (track?.height ?? 1);
        }),
      );
      expect(heights[0]).toBeCloseTo(1, 2);
      expect(heights[1]).toBeCloseTo(1249 / 2847, 2);
      await shot(page, `vertical-${theme}`);
      await page.close();
    });
  }

  it('tooltip lists the eliminations by reason', async () => {
    const page = await open('scenario=run&theme=dark');
    await page.getByTestId('funnel-bar').nth(1).hover();
    const tooltip = page.getByTestId('funnel-tooltip');
    await tooltip.waitFor();
    const text = await tooltip.innerText();
    for (const expected of [
      'price_filtering',
      '2,847',
      '1,249',
      '1,598',
      '56.1%',
      'price_too_high',
      '1,432',
      '89.6%',
      'price_too_low',
      '166',
      '10.4%',
    ]) {
      expect(text).toContain(expected);
    }
    await page.screenshot({ path: path.join(SHOTS, 'tooltip.png') });
    await page.close();
  });

  it('a click on a bar follows its data link, interpolated with the stage', async () => {
    const page = await open('scenario=run&theme=light');
    await Promise.all([
      page.waitForURL(/\/trace\//),
      page.getByTestId('funnel-bar').nth(2).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/trace/volume_filtering');
    await page.close();
  });

  it('with several links, a click opens the menu', async () => {
    const page = await open('scenario=links&theme=dark');
    await page.getByTestId('funnel-bar').nth(3).click();
    const menu = page.getByRole('menu');
    await menu.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'links-menu.png') });
    await Promise.all([page.waitForURL(/\/logs\//), menu.getByText('Stage logs').click()]);
    expect(new URL(page.url()).pathname).toBe('/logs/squeeze_detection');
    await page.close();
  });

  const messages: Array<[string, RegExp]> = [
    ['empty', /No pipeline stages in the query result/],
    ['single', /Only one stage \(universe_loading\)/],
    ['zero', /The first stage, universe_loading, received no symbols/],
    ['nan', /price_filtering has no usable number \(NaN or empty\)/],
  ];
  for (const [scenario, message] of messages) {
    it(`${scenario}: a clear message, no crash`, async () => {
      const page = await open(`scenario=${scenario}&theme=dark`);
      expect(await page.getByTestId('panel-chrome').innerText()).toMatch(message);
      await shot(page, `message-${scenario}`);
      await page.close();
    });
  }
});
