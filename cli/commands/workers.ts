import type { Command } from 'commander';
import { z } from 'zod';
import { addNatsOptions, openWorkerListing } from '../nats.ts';
import { parseFlags } from '../options.ts';
import { printJson, table } from '../output.ts';

const WorkersFlags = z.object({ json: z.boolean().optional() });

export function registerWorkers(program: Command): void {
  const command = program
    .command('workers')
    .description('the live workers on a NATS server: devices, backends, threads, jobs done')
    .option('--json', 'print a JSON array instead of a table');
  addNatsOptions(command).action(async (options: Record<string, unknown>) => {
    const flags = parseFlags(WorkersFlags, { json: options.json });
    const listing = await openWorkerListing(options, 'kevo-workers');
    try {
      const workers = await listing.list();
      if (flags.json) return printJson(workers);
      if (workers.length === 0) return void process.stdout.write('no live workers\n');
      process.stdout.write(
        `${table(
          ['worker', 'threads', 'backends', 'device classes', 'jobs done', 'version', 'last seen'],
          workers.map((w) => [
            w.name,
            w.threads,
            w.backends.join(','),
            w.deviceClasses.map((d) => `${d.id.slice(0, 8)} ${d.label}`).join('; '),
            w.jobsDone,
            w.version,
            w.lastSeen,
          ]),
        )}\n`,
      );
    } finally {
      await listing.close();
    }
  });
}
