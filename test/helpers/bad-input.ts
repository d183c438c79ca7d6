import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { kevo } from './cli.ts';

/** One test per case: `kevo ...args --db db` exits 2 with a message matching, prints nothing on stdout, and creates no database. */
export function itRefuses(cases: readonly (readonly [string, readonly string[], RegExp])[], dir: string, db: string): void {
  for (const [name, args, message] of cases) {
    it(`${name}: exit 2, a clear error, nothing written`, async () => {
      const run = await kevo([...args, '--db', db], { cwd: dir });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      expect(existsSync(db)).toBe(false);
    });
  }
}
