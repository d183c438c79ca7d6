import type { Command } from 'commander';
import { addNatsOptions, openWorkerListing, wantsNats } from '../nats.ts';
import { z } from 'zod';
import { KevoError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { isLoopback } from '../../serve/auth.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { intFlag, LogLevel, parseFlags } from '../options.ts';
import { Store } from '../../coordinator/store/store.ts';

const ServeFlags = z.object({
  db: z.string().min(1),
  port: intFlag(0, 65_535),
  host: z.string().min(1),
  token: z.string().min(16, 'expected at least 16 characters').optional(),
  logLevel: LogLevel,
});

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('a dashboard and a read-only JSON API (/api/campaigns, /api/best, /api/kernels/ID, ...) over the database')
    .option('--db <path>', 'SQLite database file', 'kevo.db')
    .option('--port <port>', 'port to listen on (0: any free one)', '8080')
    .option('--host <host>', 'address to listen on; other than loopback needs --token', '127.0.0.1')
    .option('--token <token>', 'bearer token every request must carry (env KEVO_SERVE_TOKEN); browsers open /login?token=TOKEN once')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent', 'info');
  // With --nats, the campaign pages also show the live workers from their heartbeats.
  addNatsOptions(command).action(async (options: Record<string, unknown>) => {
    const flags = parseFlags(ServeFlags, { ...options, token: options.token ?? process.env.KEVO_SERVE_TOKEN });
    // Read-only is not private: results, kernels and prompts are for whoever may reach the port.
    if (!isLoopback(flags.host) && flags.token === undefined) {
      throw new KevoError('BAD_INPUT', `--host ${flags.host} is reachable from other machines: give --token (or KEVO_SERVE_TOKEN), which every request must then carry`);
    }
    const store = Store.openReadOnly(flags.db);
    const log = createLogger(flags.logLevel);
    let nats: Awaited<ReturnType<typeof openWorkerListing>> | undefined;
    try {
      nats = wantsNats(options) ? await openWorkerListing(options, 'kevo-serve') : undefined;
    } catch (error) {
      store.close();
      throw error;
    }
    const server = createDashboardServer(store, log, { token: flags.token, liveWorkers: nats?.list });
    const address = await listen(server, flags.port, flags.host).catch(async (error: NodeJS.ErrnoException) => {
      store.close();
      await nats?.close();
      throw new KevoError('BAD_INPUT', `cannot listen on ${flags.host}:${flags.port}: ${error.code ?? error.message}`);
    });
    const login = flags.token === undefined ? '' : ' (a browser opens /login?token=TOKEN once)';
    process.stdout.write(`kevo dashboard at http://${address.address}:${address.port}/${login} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      // Event streams stay open until their page goes: end them, or close would wait for every viewer.
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    store.close();
    await nats?.close();
  });
}

