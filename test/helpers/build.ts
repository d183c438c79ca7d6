import { execFileSync } from 'node:child_process';

/**
 * vitest's global setup. Tests that spawn the `kevo` bin run the compiled
 * dist/, as a user does: build it first (tsc -b only rebuilds what changed,
 * so a fresh dist costs about a second).
 */
export default function buildDist(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
