import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NATS_SERVER = process.env.KEVO_NATS_SERVER ?? '/usr/sbin/nats-server';

/**
 * A private nats-server for one test file: JetStream on a free loopback port
 * with its own store directory, so restarts keep streams, and never the
 * system server on 4222.
 */
export class NatsServer {
  private process: ChildProcess | undefined;
  private readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly config: string | undefined,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'kevo-nats-'));
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** `config` is nats-server configuration text (e.g. an authorization block). */
  static async start(options: { config?: string } = {}): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), options.config);
    await server.restart();
    return server;
  }

  /** Start (again) on the same port and store; resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.process) throw new Error('nats-server is already running');
    const args = ['-js', '-sd', join(this.dir, 'store'), '-a', '127.0.0.1', '-p', String(this.port)];
    if (this.config !== undefined) {
      const file = join(this.dir, 'server.conf');
      writeFileSync(file, this.config);
      args.push('-c', file);
    }
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const onData = (chunk: Buffer): void => {
        log += chunk.toString();
        // It logs this once the client listener is open.
        if (log.includes('Server is ready')) {
          child.stderr?.off('data', onData);
          child.stderr?.resume();
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`)));
      child.once('error', reject);
    });
  }

  /** SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves once the process is gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Stop and delete the store: for afterAll. */
  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A per-test name, BullMQ-style, so tests sharing a server never see each other's streams. */
let counter = 0;
export function uniquePrefix(label: string): string {
  counter += 1;
  return `t${process.pid}_${label}_${counter}`;
}
