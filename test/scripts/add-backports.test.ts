import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = join(root, 'scripts/add-backports.sh');
const dir = mkdtempSync(join(tmpdir(), 'kevo-apt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for / holding the given apt files; returns what the script did. */
function run(name: string, files: Record<string, string>) {
  const aptRoot = join(dir, name);
  mkdirSync(join(aptRoot, 'etc/apt/sources.list.d'), { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(aptRoot, 'etc/apt', path), text);
  const result = spawnSync('bash', [script], { env: { ...process.env, APT_ROOT: aptRoot }, encoding: 'utf8' });
  const added = join(aptRoot, 'etc/apt/sources.list.d/bookworm-backports.sources');
  let sources: string | undefined;
  try {
    sources = readFileSync(added, 'utf8');
  } catch {
    sources = undefined;
  }
  return { code: result.status, stderr: result.stderr, sources };
}

describe('scripts/add-backports.sh', () => {
  it('takes the mirror of the configured deb822 bookworm suite, not the security one', () => {
    const { code, sources } = run('deb822', {
      'sources.list.d/debian.sources':
        'Types: deb\nURIs: http://security.mirror.test/debian-security\nSuites: bookworm-security\nComponents: main\n\n' +
        'Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm bookworm-updates\nComponents: main\n',
    });
    expect(code).toBe(0);
    expect(sources).toContain('URIs: http://mirror.test/debian\nSuites: bookworm-backports\n');
  });

  it('takes it from a one-line sources.list too', () => {
    const { code, sources } = run('one-line', { 'sources.list': 'deb [arch=amd64] http://other.test/debian bookworm main\n' });
    expect(code).toBe(0);
    expect(sources).toContain('URIs: http://other.test/debian\n');
  });

  it('leaves a machine that has the suite alone, and says so where there is no Debian source', () => {
    expect(run('has-it', { 'sources.list': 'deb http://x.test/debian bookworm-backports main\n' }).sources).toBeUndefined();
    const none = run('none', {});
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no configured Debian bookworm source/);
  });

  it('no tracked file names a Debian mirror host', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    const named = tracked.filter((path) => !/\.(db|png|wasm)$/.test(path) && /[a-z0-9-]+\.debian\.org/i.test(readFileSync(join(root, path), 'utf8')));
    expect(named).toEqual([]);
  });
});
