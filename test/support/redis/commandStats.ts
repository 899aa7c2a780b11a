import type Redis from 'ioredis';

/**
 * What this measurement sends (INFO, CONFIG, the MULTI/EXEC around them) and what every new
 * connection sends once (HELLO, INFO, CLIENT): not counted.
 */
const NOT_COUNTED = /^(info|config|config\|.*|hello|client\|.*|multi|exec)$/;

/**
 * Every app instance's heartbeat (src/fleet/DeliveryWatch): one script running one PUBLISH on
 * `<keyPrefix>heartbeat:<id>` every 500 ms, whatever the app does. Counted apart, so that what an
 * API call costs is measured without it: the marks below, published on a matching channel in the
 * same transaction as the reset and the read, delimit exactly the heartbeats Redis counted.
 */
const HEARTBEATS = '*heartbeat:*';
const MARK = 'commandstats:heartbeat:mark';
/** The name of the counting connection (CLIENT LIST), for tests that count the app's subscriber connections. */
export const HEARTBEAT_COUNTER = 'commandstats-heartbeats';

/** Counts the heartbeats Redis ran between a reset and a read, through a pattern subscription on a second connection. */
class HeartbeatCounter {
  #counted = 0;
  #counting = false;
  #marks = 0;
  readonly #waiting = new Map<string, (counted: number) => void>();

  private constructor(listener: Redis) {
    listener.on('pmessage', (_pattern: string, channel: string, message: string) => {
      if (channel !== MARK) {
        if (this.#counting) this.#counted += 1;
        return;
      }
      if (message.startsWith('start:')) {
        this.#counting = true;
        this.#counted = 0;
      }
      this.#waiting.get(message)?.(this.#counted);
      this.#waiting.delete(message);
    });
  }

  static async of(admin: Redis): Promise<HeartbeatCounter> {
    const listener = admin.duplicate({ connectionName: HEARTBEAT_COUNTER });
    await listener.psubscribe(HEARTBEATS);
    admin.once('end', () => listener.disconnect());
    return new HeartbeatCounter(listener);
  }

  /** A new mark's message, and the heartbeats counted when it arrives. */
  mark(kind: 'start' | 'read'): { message: string; counted: Promise<number> } {
    const message = `${kind}:${++this.#marks}`;
    return { message, counted: new Promise<number>((resolve) => this.#waiting.set(message, resolve)) };
  }
}

const counters = new WeakMap<Redis, Promise<HeartbeatCounter>>();

function counterOf(admin: Redis): Promise<HeartbeatCounter> {
  let counter = counters.get(admin);
  if (!counter) counters.set(admin, (counter = HeartbeatCounter.of(admin)));
  return counter;
}

/** CONFIG RESETSTAT: Redis's per-command counters start from zero, and so does the count of heartbeats. */
export async function resetCommandStats(admin: Redis): Promise<void> {
  const start = (await counterOf(admin)).mark('start');
  await admin.multi().publish(MARK, start.message).call('CONFIG', 'RESETSTAT').exec();
  await start.counted;
}

export interface CommandStats {
  /** Every command Redis executed, those inside Lua scripts included (INFO commandstats), heartbeats excepted. */
  total: number;
  /** Per command name (`eval`, `get`, `subscribe`, `hset`...), heartbeats excepted. */
  byCommand: Record<string, number>;
  /** Heartbeats run since the reset (each one `eval` and one `publish`, not in the counts above). */
  heartbeats: number;
}

/** Redis's own count of the commands executed since the last reset (INFO commandstats), heartbeats apart. */
export async function commandStats(admin: Redis): Promise<CommandStats> {
  const read = (await counterOf(admin)).mark('read');
  const answers = (await admin.multi().call('INFO', 'commandstats').publish(MARK, read.message).exec()) ?? [];
  const info = answers[0]?.[1] as string;
  const heartbeats = await read.counted;
  const byCommand: Record<string, number> = {};
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (!match || NOT_COUNTED.test(match[1]!)) continue;
    const calls = Number(match[2]) - (match[1] === 'eval' || match[1] === 'publish' ? heartbeats : 0);
    if (calls > 0) byCommand[match[1]!] = calls;
  }
  const total = Object.values(byCommand).reduce((sum, n) => sum + n, 0);
  return { total, byCommand, heartbeats };
}
