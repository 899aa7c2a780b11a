import type Redis from 'ioredis';

/** What this measurement sends (INFO, CONFIG) and what every new connection sends once (HELLO, INFO, CLIENT): not counted. */
const NOT_COUNTED = /^(info|config|config\|.*|hello|client\|.*)$/;

/** CONFIG RESETSTAT: Redis's per-command counters start from zero. */
export async function resetCommandStats(admin: Redis): Promise<void> {
  await admin.call('CONFIG', 'RESETSTAT');
}

export interface CommandStats {
  /** Every command Redis executed, those inside Lua scripts included (INFO commandstats). */
  total: number;
  /** Per command name (`eval`, `get`, `subscribe`, `hset`...). */
  byCommand: Record<string, number>;
}

/** Redis's own count of the commands executed since the last reset (INFO commandstats). */
export async function commandStats(admin: Redis): Promise<CommandStats> {
  const info = (await admin.call('INFO', 'commandstats')) as string;
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (!match || NOT_COUNTED.test(match[1]!)) continue;
    byCommand[match[1]!] = Number(match[2]);
    total += Number(match[2]);
  }
  return { total, byCommand };
}
