import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { Store } from '../../coordinator/store/store.ts';
import { fileURLToPath } from 'node:url';

export const KEVO_BIN = fileURLToPath(new URL('../../bin/kevo.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `kevo` bin (the compiled dist/, built by test/helpers/build.ts) in a child process, as a user would. */
export function kevo(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return collect(startKevo(args, opts));
}

/**
 * Runs the CLI's own entry (main(), what bin/kevo.js calls) in this process,
 * with what it writes on stdout and stderr captured: the same parsing and
 * validation as the bin without a node start per call. For checks of what the
 * CLI says; a test that the bin itself works spawns it with kevo().
 */
export async function kevoInProcess(args: readonly string[]): Promise<CliRun> {
  const printed = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => ((printed[stream] += String(chunk)), true));
  const spies = [capture('stdout'), capture('stderr')];
  // A command that runs sets process.exitCode for the bin to exit with: the test runner's own must stay as it was.
  const exitCode = process.exitCode;
  try {
    const code = await main(['node', 'kevo', ...args]);
    return { code, ...printed };
  } finally {
    process.exitCode = exitCode;
    for (const spy of spies) spy.mockRestore();
  }
}

export function startKevo(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [KEVO_BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves with the first JSON log line on the child's stderr that matches. */
export function logLine(child: ChildProcess, match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exited (${code}) before the awaited log line`)));
    createInterface({ input: child.stderr! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (match(line)) resolve(line);
      } catch {
        // not a log line
      }
    });
  });
}

/** Resolves with the campaign id once a campaign in `db` has ingested at least `n` evaluations (read through a second connection: WAL). */
export async function evaluationsReach(db: string, n: number): Promise<string> {
  for (;;) {
    try {
      const store = Store.open(db);
      try {
        const campaign = store.campaigns()[0];
        if (campaign && campaign.evaluations >= n) return campaign.id;
      } finally {
        store.close();
      }
    } catch {
      // the campaign process may not have created the file yet
    }
    // A poll, not a wait for time to pass: each open is a reader the coordinator shares the file with.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `kevo serve` on a free loopback port; resolves once it listens, with its base URL (ending in /) and port. */
export async function startServe(db: string, logLevel = 'warn', extra: readonly string[] = []): Promise<{ child: ChildProcess; base: string; port: number }> {
  const child = startKevo(['serve', '--db', db, '--port', '0', '--log-level', logLevel, ...extra]);
  const base = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`kevo serve exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const url = /(http:\/\/\S+\/)/.exec(line)?.[1];
      if (url) resolve(url);
    });
  });
  return { child, base, port: Number(new URL(base).port) };
}

/** Stops a `kevo worker` child with SIGTERM; its exit code and the jobs its 'worker stopped' log line counts. */
export async function stopWorker(worker: ChildProcess, done: Promise<CliRun>): Promise<{ code: number | null; jobsDone: unknown }> {
  worker.kill('SIGTERM');
  const stopped = await done;
  const lines = stopped.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: stopped.code, jobsDone: lines.find((line) => line.msg === 'worker stopped')?.jobsDone };
}

export interface BestKernel {
  readonly kernelId: string;
  readonly genome: Record<string, unknown>;
  readonly speedup: number;
}

/**
 * One `kevo campaign start` (the bin, spawned) over several problems: a spec
 * file with `problems` and the other spec fields in `settings`, written in
 * `dir`. One node, one worker pool (or WebGPU device) for all of them, where a
 * `kevo run` each would start those per problem. The budget is per problem.
 * Returns the campaign's JSON report and each problem's best kernel, in order.
 */
export async function campaignOver(
  dir: string,
  db: string,
  problems: readonly Record<string, unknown>[],
  settings: Record<string, unknown>,
): Promise<{ report: Record<string, unknown>; best: BestKernel[] }> {
  const spec = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(spec, JSON.stringify({ problems, ...settings }));
  const run = await kevo(['campaign', 'start', spec, '--db', db, '--json'], { cwd: dir });
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as Record<string, unknown> & { problems: { best: BestKernel }[] };
  expect(report.status).toBe('done');
  return { report, best: report.problems.map((p) => p.best) };
}
