import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { kevo, kevoInProcess } from './cli.ts';

/**
 * One test per case: `kevo ...args --db db` exits 2 with a message matching,
 * prints nothing on stdout, and creates no database. The cases named in
 * `spawned` run the bin in a child process (the exit status a shell sees);
 * the others run the CLI's main() in process, the same parsing and checks
 * without a node start each.
 */
export function itRefuses(cases: readonly (readonly [string, readonly string[], RegExp])[], dir: string, db: string, spawned: readonly string[] = []): void {
  for (const [name, args, message] of cases) {
    const child = spawned.includes(name);
    it(`${name}: exit 2, a clear error, nothing written${child ? ' (the bin, spawned)' : ''}`, async () => {
      const run = child ? await kevo([...args, '--db', db], { cwd: dir }) : await kevoInProcess([...args, '--db', db]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      expect(existsSync(db)).toBe(false);
    });
  }
}
