import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POINT_MARK, renderChartSvg, writeChart, type LineChart } from '../../../bench/chart';

const grants: LineChart = {
  title: 'Grants for N concurrent cold callers',
  x: { title: 'concurrent callers', scale: 'log' },
  y: { title: 'grants', scale: 'log' },
  points: [1, 10, 100, 1000].flatMap((n) => [
    { x: n, y: 1, series: 'ctp-client' },
    { x: n, y: n, series: 'ts-client' },
  ]),
};

/** The opening tags of the points' symbol group's children, with their translate(x,y). */
function pointPositions(svg: string): { x: number; y: number }[] {
  const start = svg.indexOf(`class="mark-symbol role-mark ${POINT_MARK}"`);
  expect(start).toBeGreaterThan(0);
  const group = svg.slice(start, svg.indexOf('</g>', start));
  return [...group.matchAll(/<path transform="translate\(([-\d.]+),([-\d.]+)\)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
  }));
}

/** Every tag closed in order: the document is well-formed as far as elements go. */
function assertBalanced(svg: string): void {
  const open: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (closing) expect(open.pop()).toBe(name);
    else if (!selfClosing) open.push(name!);
  }
  expect(open).toEqual([]);
}

describe('bench chart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctp-chart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should draw one point mark per measurement, placed by its value', async () => {
    const svg = await renderChartSvg(grants);
    expect(svg.startsWith('<svg')).toBe(true);
    assertBalanced(svg);
    const points = pointPositions(svg);
    expect(points).toHaveLength(grants.points.length);
    // Same x order as the data: (1,1) (1,1) (10,1) (10,10) ...; on a log axis the x steps are equal.
    const xs = [...new Set(points.map((p) => p.x))];
    expect(xs).toHaveLength(4);
    expect(xs[2]! - xs[1]!).toBeCloseTo(xs[1]! - xs[0]!, 0);
    // ts-client at 1,000 callers is drawn higher (smaller y) than ctp-client at 1,000.
    expect(points[7]!.y).toBeLessThan(points[6]!.y);
    expect(svg).toContain('concurrent callers');
    expect(svg).toContain('ts-client');
  });

  it('should tick a symlog axis at 0 and the powers of ten within the data, negative values included', async () => {
    const svg = await renderChartSvg({
      title: 'Added latency',
      x: { title: 'shoppers', scale: 'log' },
      y: { title: 'ms', scale: 'symlog' },
      points: [
        { x: 10, y: 2.5, series: 'p50' },
        { x: 100, y: 293, series: 'p50' },
        { x: 1000, y: -3616, series: 'p50' },
      ],
    });
    expect(pointPositions(svg)).toHaveLength(3);
    // The y axis is the second axis: its labels are the <text> elements after the x axis title.
    const labels = [...svg.slice(svg.indexOf('>shoppers</text>')).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(
      (m) => m[1],
    );
    expect(labels.slice(0, 7)).toEqual(['−1,000', '−100', '−10', '−1', '0', '1', '10']);
    expect(labels).toContain('100');
    expect(labels).not.toContain('1,000');
  });

  it('should write the SVG file it returns, and refuse a chart with no points', async () => {
    const file = join(dir, 'nested', 'grants.svg');
    const svg = await writeChart(file, grants);
    expect(readFileSync(file, 'utf8')).toBe(svg);
    await expect(renderChartSvg({ ...grants, points: [] })).rejects.toThrow('has no points');
  });
});
