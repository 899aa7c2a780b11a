/** A Markdown table from a header and rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface Section {
  title: string;
  goal: string;
  met: boolean | undefined;
  body: string;
  notes?: string[];
}

export function renderSection(section: Section): string {
  const verdict = section.met === undefined ? 'no goal set' : section.met ? 'goal met' : '**goal missed**';
  return [
    `## ${section.title}`,
    '',
    `Goal: ${section.goal} (${verdict})`,
    '',
    section.body,
    ...(section.notes?.length ? ['', ...section.notes.map((n) => `- ${n}`)] : []),
  ].join('\n');
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
