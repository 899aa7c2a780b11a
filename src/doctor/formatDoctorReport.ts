import type { DoctorReport } from './DoctorReport';

const paint = (on: boolean, code: number, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

// Introspection's exp is whole seconds: a 1 h token reads as 3599 s a moment later, so the unit is
// chosen on the value rounded to one decimal.
function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  const days = (seconds / 86_400).toFixed(1);
  if (Number(days) >= 1) return `${days} d`;
  const hours = (seconds / 3_600).toFixed(1);
  if (Number(hours) >= 1) return `${hours} h`;
  return `${seconds} s`;
}

/** Plain, aligned text; colour only when asked (the CLI asks on a TTY). */
export function formatDoctorReport(report: DoctorReport, colour = false): string {
  const lines: string[] = [];
  const t = report.target;
  lines.push(
    `ctp-client doctor: project ${t.projectKey}, API client ${t.clientId}${t.embedded ? ' (embedded commercetools)' : ''}`,
  );
  lines.push(`auth ${t.authUrl}  api ${t.apiUrl}`);
  for (const set of report.sets) {
    const status =
      set.outcome === 'ok'
        ? paint(colour, 32, 'ok')
        : set.outcome === 'skipped'
          ? paint(colour, 33, 'skipped')
          : paint(colour, 31, set.outcome.toUpperCase());
    lines.push('');
    lines.push(
      `${set.set} (${set.flow.replace('_', ' ')}): ${status}${set.lifetimeSeconds !== undefined ? `, token lifetime ${duration(set.lifetimeSeconds)} (${set.lifetimeSource})` : ''}`,
    );
    if (set.note) lines.push(`  ${set.note}`);
    if (set.outcome === 'skipped') continue;
    const width = Math.max(5, ...set.rows.map((r) => r.scope.length));
    lines.push(`  ${'scope'.padEnd(width)}  requested  granted${set.lacking ? '  client has' : ''}`);
    for (const row of set.rows) {
      const lacks = set.lacking?.includes(row.scope);
      const has = set.lacking ? (lacks ? paint(colour, 31, 'no') : 'yes') : '';
      lines.push(
        `  ${row.scope.padEnd(width)}  ${(row.requested ? 'yes' : 'no').padEnd(9)}  ${(row.granted ? 'yes' : 'no').padEnd(7)}${set.lacking ? `  ${has}` : ''}`.trimEnd(),
      );
    }
  }
  lines.push('');
  for (const warning of report.warnings) lines.push(`${paint(colour, 33, 'warning')}: ${warning}`);
  lines.push(
    `tokens created ${report.tokens.created}, revoked ${report.tokens.revoked}${report.tokens.revokeFailed ? `, not revoked ${report.tokens.revokeFailed}` : ''}`,
  );
  lines.push(
    report.problems === 0
      ? paint(colour, 32, 'no problems found')
      : paint(colour, 31, `${report.problems} problem(s) found`),
  );
  return lines.join('\n');
}
