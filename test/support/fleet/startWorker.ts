import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface WorkerResult {
  pid: number;
  ok: number;
  errors: string[];
  distinct: number;
  ms: number;
}

export interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  go(): void;
  result: Promise<WorkerResult>;
}

const script = fileURLToPath(new URL('./fleetWorker.ts', import.meta.url));

/** Starts one instance as a child process (not a thread): its own memory, its own event loop. */
export function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<WorkerResult>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') onReady();
      else if (line.startsWith('{')) resolve(JSON.parse(line) as WorkerResult);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) without a result: ${stderr.slice(-800)}`)),
    );
  });
  // A worker killed on purpose never reports: that rejection is only seen if the test awaits it.
  result.catch(() => undefined);
  return { child, ready, go: () => child.stdin.write('go\n'), result };
}
