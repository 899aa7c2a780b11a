import type { JourneyReport } from './runJourney';

const flowNames: Record<string, string> = {
  client_credentials: 'client credentials',
  anonymous: 'anonymous',
  password: 'password',
  refresh_token: 'refresh',
  revoke: 'revoke',
};

/** Scopes without the project key, so a line stays readable; a Store's scope as `name@storeKey`. */
function shortScopes(scope: string | undefined): string {
  return scope
    ? scope
        .split(' ')
        .map((s) => {
          const [name, , store] = s.split(':');
          return store === undefined ? name : `${name}@${store}`;
        })
        .join(' ')
    : '';
}

/** A readable trace: one block per step, the grants it caused with their scopes, and a summary. */
export function formatJourney(report: JourneyReport): string {
  const lines: string[] = [];
  report.steps.forEach((s, i) => {
    lines.push(
      `${String(i + 1).padStart(2)}. ${s.ok ? 'ok  ' : 'FAIL'} ${s.request.padEnd(26)} ${String(s.status).padEnd(4)} ${s.name}: ${s.detail}`,
    );
    for (const g of s.grants) {
      const scopes = shortScopes(g.scope);
      lines.push(
        `          grant ${flowNames[g.flow] ?? g.flow}${g.storeKey === undefined ? '' : ` (in-store ${g.storeKey})`} -> ${g.status}${scopes ? ` [${scopes}]` : ''}`,
      );
    }
    for (const p of s.problems) lines.push(`          problem: ${p}`);
  });
  const { summary } = report;
  lines.push('');
  lines.push(
    `grants by flow: ${Object.entries(summary.grantsByFlow)
      .map(([flow, n]) => `${flowNames[flow] ?? flow} ${n}`)
      .join(', ')}`,
  );
  lines.push(
    `sessions: ${summary.anonymousSessions} anonymous, ${summary.customerSessions} customer; error responses (expected ones included): ${summary.errorResponses}`,
  );
  lines.push(
    report.ok
      ? `journey ok: all ${report.steps.length} steps behaved`
      : `journey FAILED: ${summary.failedSteps} of ${report.steps.length} steps did not behave`,
  );
  return lines.join('\n');
}
