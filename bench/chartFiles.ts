import { fileURLToPath } from 'node:url';
import { writeChart, type LineChart } from './chart';

/** Where `npm run bench` writes its charts; results.md links them relative to bench/. */
export const CHARTS_DIR = fileURLToPath(new URL('./charts/', import.meta.url));

/** Renders the chart to bench/charts/<file> and returns the Markdown image that shows it in results.md. */
export async function chartFile(file: string, chart: LineChart): Promise<string> {
  await writeChart(`${CHARTS_DIR}${file}`, chart);
  return `![${chart.title}](charts/${file})`;
}
