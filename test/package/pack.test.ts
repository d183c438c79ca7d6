import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in `cwd` with no NODE_OPTIONS (no loader can leak in from the test runner). */
async function sh(cwd: string, file: string, args: readonly string[]): Promise<Ran> {
  const { NODE_OPTIONS: _dropped, ...env } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { cwd, env, timeout: 150_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * A lockfile for a project that depends on the packed tarball alone: kevo's
 * runtime dependencies at exactly the versions (and registry tarballs) of our
 * own lock, without its dev dependencies (tsx among them). `npm ci --offline`
 * installs it from the cache `npm ci` filled, no registry needed.
 */
function projectLock(tarball: string): Record<string, unknown> {
  const ours = readJson(join(ROOT, 'package-lock.json'));
  const pkg = readJson(join(ROOT, 'package.json'));
  const packages: Record<string, unknown> = {
    '': { name: 'user-project', dependencies: { kevo: `file:${tarball}` } },
    'node_modules/kevo': { version: pkg.version, resolved: `file:${tarball}`, dependencies: pkg.dependencies, bin: pkg.bin, license: pkg.license },
  };
  for (const [path, entry] of Object.entries(ours.packages as Record<string, { dev?: boolean }>)) {
    if (path !== '' && !entry.dev) packages[path] = entry;
  }
  return { name: 'user-project', lockfileVersion: 3, requires: true, packages };
}

let project = '';
/** The bin npm linked in the project: what `npx kevo` runs (proven once below), without npx's own start each time. */
const installedKevo = () => join(project, 'node_modules/.bin/kevo');
const temp = mkdtempSync(join(tmpdir(), 'kevo-pack-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the packed kevo in a plain Node project', () => {
  beforeAll(async () => {
    // dist/ is fresh: the suite's global setup built it.
    const packed = await sh(ROOT, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', temp]);
    expect(packed.stderr).not.toMatch(/ERR/);
    const tarball = (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename;
    project = join(temp, 'project');
    cpSync(join(temp, tarball), join(project, tarball));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module', dependencies: { kevo: `file:${tarball}` } }));
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(projectLock(tarball)));
    const installed = await sh(project, 'npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts']);
    expect(installed.stderr).not.toMatch(/npm error/);
    expect(installed.code).toBe(0);
    // The native SQLite addon `npm ci` built for this machine, instead of a second build from source (scripts are off).
    const sqlite = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    cpSync(join(sqlite, 'build'), join(project, 'node_modules/better-sqlite3/build'), { recursive: true });
  }, 240_000);

  it('ships compiled JavaScript and typings, and tsx cannot be resolved there', async () => {
    const kevo = join(project, 'node_modules/kevo');
    expect(readJson(join(kevo, 'package.json')).exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(readFileSync(join(kevo, 'dist/index.d.ts'), 'utf8')).toContain('export { evaluateGenome }');
    for (const from of [project, kevo]) {
      const resolved = await sh(from, process.execPath, ['--input-type=module', '-e', "import.meta.resolve('tsx')"]);
      expect(resolved.stderr).toMatch(/Cannot find package 'tsx'/);
    }
  });

  it('`npx kevo --help` lists the commands', async () => {
    const help = await sh(project, 'npx', ['--offline', 'kevo', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kevo /);
    expect(help.stdout).toMatch(/\n {2}export +write a kernel/);
  });

  it("`import('kevo')` gives the library", async () => {
    const imported = await sh(project, process.execPath, ['-e', "import('kevo').then((k) => console.log(typeof k.evaluateGenome, typeof k.Store.open, k.problemKey({ op: 'matmul', shape: { m: 2, n: 3, k: 4 }, dtype: 'f32' })))"]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout.trim()).toBe('function function matmul:2x3x4:f32');
  });

  it('its typings compile in a strict TypeScript project, without skipLibCheck', async () => {
    writeFileSync(
      join(project, 'use.ts'),
      `import { defaultWasmGenome, matmulWat, type MatmulProblem } from 'kevo';
const problem: MatmulProblem = { op: 'matmul', shape: { m: 4, n: 4, k: 4 }, dtype: 'f32' };
const wat: string = matmulWat(defaultWasmGenome(problem), problem);
// @ts-expect-error kevo's types are real, not any: a number is no genome
matmulWat(42, problem);
console.log(wat.length);
`,
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const checked = await sh(project, process.execPath, [tsc, '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node', '--noEmit', 'use.ts']);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it('ships the default suite beside dist/: `kevo suite run` with no file reads it', async () => {
    expect(readJson(join(project, 'node_modules/kevo/dist/suites/default.json')).version).toBe(1);
    // A bad flag is judged only after the suite file is read and planned: the error proves it was found and valid.
    const run = await sh(project, installedKevo(), ['suite', 'run', '--strategy', 'nope', '--db', join(project, 'none.db')]);
    expect(run.stderr).toMatch(/--strategy: /);
    expect(run.code).toBe(2);
  });

  it('a campaign runs: worker threads load the compiled task, the store takes its kernels', async () => {
    const db = join(project, 'kevo.db');
    // No promotion gate: its re-timing rounds would be most of this test's time, and prove nothing of the package.
    const ran = await sh(project, installedKevo(), ['run', 'matmul', '--shape', '8x8x8', '--budget', '2', '--population', '2', '--threads', '1', '--promote', '0', '--db', db, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const best = await sh(project, installedKevo(), ['best', 'matmul', '--shape', '8x8x8', '--db', db, '--json']);
    expect(best.code, best.stderr).toBe(0);
    expect((JSON.parse(best.stdout) as unknown[]).length).toBeGreaterThan(0);
  });
});
