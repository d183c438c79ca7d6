import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, ToChild } from './messages.ts';
import { CHILD_EXEC_ARGV, moduleUrl } from '../../lib/runtime.ts';

const CHILD = fileURLToPath(moduleUrl('./child.ts', import.meta.url));
const STDERR_TAIL = 2000;

export type Outcome =
  | { kind: 'reply'; reply: FromChild }
  | { kind: 'timeout' }
  /** The child died mid-request: a native abort, a kill from outside, out of memory. */
  | { kind: 'exit'; reason: string };

export interface GpuProcessOptions {
  /** lavapipe's threads per device (LP_NUM_THREADS): 1 when several GPU workers share few cores. */
  readonly lavapipeThreads?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Modules registering ops and families beyond the built-in ones, imported by the child before its first request. */
  readonly families?: readonly string[];
}

/**
 * One GPU child process and one request in flight to it. A request that
 * outlives its deadline SIGKILLs the child (a hung dispatch cannot be
 * cancelled from inside: device.destroy() waits for it); after a timeout or
 * an exit the process is dead and the owner starts a new one.
 */
export class GpuProcess {
  private readonly child: ChildProcess;
  private stderr = '';
  private exited: string | null = null;
  private pending: ((outcome: Outcome) => void) | null = null;

  constructor(options: GpuProcessOptions = {}) {
    const env = { ...(options.env ?? process.env) };
    if (options.lavapipeThreads !== undefined) env.LP_NUM_THREADS = String(options.lavapipeThreads);
    this.child = fork(CHILD, [...(options.families ?? [])], {
      execArgv: [...CHILD_EXEC_ARGV],
      env,
      serialization: 'advanced',
      // stdout to /dev/null, never a pipe that might close under Dawn's prints.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL);
    });
    this.child.on('message', (message: FromChild) => this.settle({ kind: 'reply', reply: message }));
    this.child.on('error', (error) => this.died(`GPU process error: ${error.message}`));
    this.child.on('exit', (code, signal) => this.died(`GPU process exited (${signal ?? `code ${code}`})${this.lastWords()}`));
  }

  get alive(): boolean {
    return this.exited === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request(message: ToChild, deadlineMs: number): Promise<Outcome> {
    if (this.pending) throw new Error('GpuProcess: one request at a time');
    if (this.exited !== null) return Promise.resolve({ kind: 'exit', reason: this.exited });
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.settle({ kind: 'timeout' });
        this.kill();
      }, deadlineMs);
      this.pending = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      this.child.send(message, (error) => {
        if (error) this.settle({ kind: 'exit', reason: `could not reach the GPU process: ${error.message}` });
      });
    });
  }

  /** SIGKILL: a child stuck in a native call ignores anything gentler. Safe to call twice. */
  kill(): void {
    if (this.exited === null) this.child.kill('SIGKILL');
  }

  /** Resolves once the child is gone (at once if it already is). */
  exit(): Promise<void> {
    if (this.exited !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  private settle(outcome: Outcome): void {
    const pending = this.pending;
    this.pending = null;
    pending?.(outcome);
  }

  private died(reason: string): void {
    this.exited ??= reason;
    this.settle({ kind: 'exit', reason: this.exited });
  }

  private lastWords(): string {
    const lines = this.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('Warning: maxDynamic'));
    return lines.length > 0 ? `: ${lines.slice(-3).join(' | ')}` : '';
  }
}
