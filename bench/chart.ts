// Charts of how a cost grows with its load, rendered headless by Vega (a Vega spec, not hand-drawn
// SVG): `View.toSVG()` with the 'none' renderer needs no canvas and no browser.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, View, type Scale, type Spec } from 'vega';

export type AxisScale = 'linear' | 'log' | 'symlog';

export interface ChartPoint {
  x: number;
  y: number;
  series: string;
}

export interface LineChart {
  title: string;
  x: { title: string; scale?: AxisScale };
  y: { title: string; scale?: AxisScale };
  points: ChartPoint[];
}

/** The name of the symbol mark that draws one point per measurement (the test counts its paths). */
export const POINT_MARK = 'points';

/** A Vega spec: one line and one labelled point per series and x, the x axis ticked at the measured x values. */
export function chartSpec(chart: LineChart): Spec {
  const xs = [...new Set(chart.points.map((p) => p.x))].sort((a, b) => a - b);
  const series = [...new Set(chart.points.map((p) => p.series))];
  const yScale = chart.y.scale ?? 'linear';
  // Series often coincide (two clients both at 1 grant): earlier series are drawn wider and larger,
  // so a later one on top leaves them visible as a rim, and a value is labelled once per position.
  const seen = new Set<string>();
  const values = chart.points.map((p) => {
    const rank = series.indexOf(p.series);
    const at = `${p.x} ${p.y}`;
    const label = seen.has(at)
      ? ''
      : p.y.toLocaleString('en-US', Number.isInteger(p.y) ? {} : { maximumSignificantDigits: 3 });
    seen.add(at);
    return {
      ...p,
      width: Math.max(1.5, 2 + 2.5 * (series.length - 1 - rank)),
      size: 30 + 50 * (series.length - 1 - rank),
      label,
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: 480,
    height: 260,
    padding: 8,
    background: 'white',
    title: { text: chart.title, anchor: 'start', fontSize: 14 },
    data: [{ name: 'measured', values }],
    scales: [
      {
        name: 'x',
        type: chart.x.scale ?? 'linear',
        domain: { data: 'measured', field: 'x' },
        range: 'width',
        ...(chart.x.scale === 'log' ? {} : { nice: true }),
      },
      yScaleSpec(yScale),
      { name: 'color', type: 'ordinal', domain: series, range: 'category' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: chart.x.title, values: xs, format: ',~r' },
      {
        orient: 'left',
        scale: 'y',
        title: chart.y.title,
        grid: true,
        format: ',~r',
        ...(yScale === 'symlog' ? { values: symlogTicks(chart.points.map((p) => p.y)) } : { tickCount: 5 }),
      },
    ],
    legends: series.length > 1 ? [{ fill: 'color', stroke: 'color', orient: 'top-left', symbolType: 'circle' }] : [],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'one-series', data: 'measured', groupby: 'series' } },
        marks: [
          {
            type: 'line',
            from: { data: 'one-series' },
            sort: { field: 'datum.x' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                stroke: { scale: 'color', field: 'series' },
                strokeWidth: { field: 'width' },
              },
            },
          },
        ],
      },
      {
        type: 'symbol',
        name: POINT_MARK,
        from: { data: 'measured' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'x' },
            y: { scale: 'y', field: 'y' },
            fill: { scale: 'color', field: 'series' },
            size: { field: 'size' },
          },
        },
      },
      {
        type: 'text',
        from: { data: 'measured' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'x' },
            y: { scale: 'y', field: 'y', offset: -7 },
            text: { field: 'label' },
            align: { value: 'center' },
            fontSize: { value: 9 },
            fill: { scale: 'color', field: 'series' },
          },
        },
      },
    ],
  };
}

function yScaleSpec(type: AxisScale): Scale {
  const common = { name: 'y', domain: { data: 'measured', field: 'y' }, range: 'height' } as const;
  // symlog is not niced: a nice domain there runs far past the data and squeezes it.
  if (type === 'symlog') return { ...common, type, zero: true };
  if (type === 'log') return { ...common, type, nice: true };
  return { ...common, type, nice: true, zero: true };
}

/** 0 and the powers of ten (either sign) within the data's range: Vega's own symlog ticks crowd. */
function symlogTicks(ys: number[]): number[] {
  const low = Math.min(0, ...ys);
  const high = Math.max(0, ...ys);
  const powers = Array.from({ length: 10 }, (_, k) => 10 ** k);
  return [
    ...powers
      .filter((t) => -t >= low)
      .map((t) => -t)
      .reverse(),
    0,
    ...powers.filter((t) => t <= high),
  ];
}

/** The chart as an SVG document. */
export async function renderChartSvg(chart: LineChart): Promise<string> {
  if (chart.points.length === 0) throw new Error(`chart "${chart.title}" has no points`);
  const view = new View(parse(chartSpec(chart)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the chart to `file` (folders created) and returns the SVG. */
export async function writeChart(file: string, chart: LineChart): Promise<string> {
  const svg = await renderChartSvg(chart);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, svg);
  return svg;
}
