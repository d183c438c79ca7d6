import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export interface WorkerChildConfig {
  readonly url: string;
  readonly name: string;
  readonly threads: number;
  readonly topology: { prefix: string; ackWaitMs?: number; maxDeliver?: number };
  /** Print a `started` line per job (for tests that kill a worker mid-job); off for benchmarks. */
  readonly announceJobs?: boolean;
}

type Line = Record<string, unknown>;

/** A worker process started from worker-process.ts; its stdout JSON lines are events a test can wait for. */
export class WorkerChild {
  readonly lines: Line[] = [];
  readonly exited: Promise<number | null>;
  private readonly waiters: { match: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        return;
      }
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (!waiter.match(line)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Resolves once the worker has announced itself and pulls jobs. */
  static async start(config: WorkerChildConfig): Promise<WorkerChild> {
    const child = new WorkerChild(spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] }));
    await child.waitFor((line) => line.msg === 'worker ready');
    return child;
  }

  /** The first line, past or future, that matches; rejects if the process exits first. */
  waitFor(match: (line: Line) => boolean): Promise<Line> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return Promise.race([
      new Promise<Line>((resolve) => this.waiters.push({ match, resolve })),
      this.exited.then((code) => Promise.reject(new Error(`worker exited (${code}) before the awaited line:\n${this.stderr}`))),
    ]);
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
