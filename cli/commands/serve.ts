import type { Command } from 'commander';
import { z } from 'zod';
import { KevoError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { intFlag, LogLevel, parseFlags } from '../options.ts';
import { Store } from '../../coordinator/store/store.ts';

const ServeFlags = z.object({ db: z.string().min(1), port: intFlag(0, 65_535), host: z.string().min(1), logLevel: LogLevel });

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('a dashboard and a read-only JSON API (/api/campaigns, /api/best, /api/kernels/ID, ...) over the database')
    .option('--db <path>', 'SQLite database file', 'kevo.db')
    .option('--port <port>', 'port to listen on (0: any free one)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent', 'info')
    .action(async (options: Record<string, unknown>) => {
      const flags = parseFlags(ServeFlags, options);
      const store = Store.openReadOnly(flags.db);
      const log = createLogger(flags.logLevel);
      const server = createDashboardServer(store, log);
      const address = await listen(server, flags.port, flags.host).catch((error: NodeJS.ErrnoException) => {
        store.close();
        throw new KevoError('BAD_INPUT', `cannot listen on ${flags.host}:${flags.port}: ${error.code ?? error.message}`);
      });
      process.stdout.write(`kevo dashboard at http://${address.address}:${address.port}/ (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      store.close();
    });
}
