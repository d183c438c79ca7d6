/**
 * The default suite end to end (`npm run bench:suite [-- --quick]`): `kevo
 * suite run` on suites/default.json in a fresh database, through the CLI's own
 * entry, printing its per-category table (correctness, fast_p, geometric-mean
 * speedup) and the wall time. --quick gives every task 6 candidates in
 * generations of 3 with 60 ms timing budgets instead of the suite's own budgets.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { DEFAULT_SUITE_PATH } from '../coordinator/suite/suite-file.ts';

const quick = process.argv.includes('--quick');
const db = join(mkdtempSync(join(tmpdir(), 'kevo-bench-suite-')), 'suite.db');
const args = ['suite', 'run', DEFAULT_SUITE_PATH, '--db', db, ...(quick ? ['--budget', '6', '--population', '3', '--timing-ms', '60'] : [])];
process.stderr.write(`kevo ${args.join(' ')}\n`);
const started = performance.now();
const code = await main(['node', 'kevo', ...args]);
process.stdout.write(`\n${quick ? 'quick run' : 'full run'}: ${((performance.now() - started) / 1000).toFixed(0)} s wall, database ${db}\n`);
process.exitCode = code;
