import uPlot from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { UsagePeriod, UsageReport } from '../../src/contracts/usage';
import { pageLocale } from '../shared/locale';
import { CHART_COLOURS, chartColourClass, formatAxisValue, periodLabel, stackedSeries, type UsageMetric } from './usageFormat';

/** The chart's height; its width follows the editor's. */
const CHART_HEIGHT = 260;

/** The least room an x-axis label needs, so labels never run into each other. */
const LABEL_WIDTH = 72;

/**
 * What the bench reads (each measure holds only the newest figure): from the report's arrival
 * (UsageTab marks it) to the chart's first draw, and from asking for a report to its arrival.
 */
export const USAGE_DATA_MARK = 'switchboard-usage-data';
export const USAGE_CHART_MEASURE = 'switchboard-usage-first-chart';
export const USAGE_ASKED_MARK = 'switchboard-usage-asked';
export const USAGE_REPORT_MEASURE = 'switchboard-usage-report';

/** Measures from `mark` to now under `name`, keeping only this figure: a long session gathers none. */
export function measureOnce(name: string, mark: string): void {
  if (!performance.getEntriesByName(mark).length) return;
  performance.clearMeasures(name);
  performance.measure(name, mark);
  performance.clearMarks(mark);
}

/** VS Code's theme, as the body's class says it: the chart is drawn again in the new colours when it changes. */
function useThemeKey(): string {
  const themeOf = () => ['vscode-dark', 'vscode-light', 'vscode-high-contrast', 'vscode-high-contrast-light'].filter((name) => document.body.classList.contains(name)).join(' ');
  const [theme, setTheme] = useState(themeOf);
  useEffect(() => {
    // VS Code changes the body's class and the root's style (the --vscode-* variables) together; the
    // number makes a change of the variables alone (a theme of the same kind) draw again too.
    let changes = 0;
    const observer = new MutationObserver(() => setTheme(`${themeOf()} ${++changes}`));
    observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

/** The theme's colours, read from VS Code's CSS variables at draw time. */
function themeColours() {
  const style = getComputedStyle(document.body);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = read('--vscode-charts-foreground', read('--vscode-foreground', '#cccccc'));
  return {
    series: CHART_COLOURS.map((name) => read(name, foreground)),
    foreground,
    lines: read('--vscode-charts-lines', foreground),
    background: read('--vscode-editor-background', 'transparent'),
    font: `${read('--vscode-font-size', '12px')} ${read('--vscode-font-family', 'sans-serif')}`,
  };
}

interface UsageChartProps {
  report: UsageReport;
  period: UsagePeriod;
  metric: UsageMetric;
  testId: string;
}

/**
 * The report's metric per period as stacked bars, one colour per group (the legend beside it
 * says which, in the same order and colours as CSS classes). A picture only: the canvas is
 * hidden from screen readers, whose view is the table under it with the same figures.
 */
export function UsageChart({ report, period, metric, testId }: UsageChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useThemeKey();

  useEffect(() => {
    const target = box.current;
    if (!target) return;
    const colours = themeColours();
    const locale = pageLocale();
    const series = stackedSeries(report, metric);
    const indices = report.periods.map((_, i) => i);
    // Top of the stack first: each bar is drawn from zero, so each lower group covers the part below it.
    const order = report.groups.map((_, g) => g).reverse();
    const axis = { stroke: colours.foreground, font: colours.font, grid: { stroke: colours.lines, width: 1 }, ticks: { stroke: colours.lines, width: 1 } };
    let first = true;
    const chart = new uPlot(
      {
        width: Math.max(200, target.clientWidth),
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        scales: {
          x: { time: false, range: () => [-0.5, Math.max(0.5, indices.length - 0.5)] },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        },
        axes: [
          {
            ...axis,
            grid: { show: false },
            // One label per period that fits, every second, third… period as the width demands.
            splits: (u) => {
              const step = Math.max(1, Math.ceil(indices.length / Math.max(1, Math.floor(u.bbox.width / uPlot.pxRatio / LABEL_WIDTH))));
              return indices.filter((i) => i % step === 0);
            },
            values: (_u, splits) => splits.map((i) => (report.periods[i] ? periodLabel(report.periods[i], period, { short: true, locale }) : '')),
          },
          { ...axis, size: 80, values: (_u, splits) => splits.map((value) => formatAxisValue(value, metric, locale)) },
        ],
        series: [
          {},
          ...order.map((g) => ({
            label: report.groups[g]!.label,
            fill: colours.series[g % colours.series.length],
            // Past the six theme colours, the same colours again, lighter (the legend's swatches match).
            alpha: g < colours.series.length ? 1 : 0.55,
            // A line of the background between stacked groups; none on bars too narrow to spare it.
            stroke: colours.background,
            width: indices.length > 90 ? 0 : 1,
            points: { show: false },
            paths: uPlot.paths.bars!({ size: [0.7, 64] }),
          })),
        ],
        hooks: {
          draw: [
            () => {
              if (!first) return;
              first = false;
              // Cheap, and only a figure: the bench reads it; nothing else depends on it.
              // Measured once per arrival: a chart drawn again for a new theme or metric has no report just in.
              measureOnce(USAGE_CHART_MEASURE, USAGE_DATA_MARK);
              target.dataset.drawn = 'true';
            },
          ],
        },
      },
      [indices, ...order.map((g) => series[g]!)],
      target,
    );
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, target.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height: CHART_HEIGHT });
    });
    resize.observe(target);
    return () => {
      resize.disconnect();
      chart.destroy();
      delete target.dataset.drawn;
    };
  }, [report, period, metric, theme]);

  return (
    <div class="usage-chart">
      <div class="usage-chart-canvas" ref={box} data-testid={testId} aria-hidden="true" />
      <ul class="usage-legend" aria-hidden="true">
        {report.groups.map((group, g) => (
          <li key={group.key}>
            <span class={`usage-swatch ${chartColourClass(g)}`} />
            {group.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
