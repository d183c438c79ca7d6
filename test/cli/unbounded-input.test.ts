import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_SPEC_BYTES } from '../../coordinator/spec.ts';
import { Store } from '../../coordinator/store/store.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-unbounded-'));
const db = join(dir, 'kevo.db');

/**
 * Exit 2 with one short line on stderr, nothing on stdout, no database. Through the CLI's main() in process,
 * but `spawned`: the bin in a child, for the inputs a read would hang on (a FIFO, /dev/zero) and can't hang the runner.
 */
async function refused(args: string[], message: RegExp, spawned = false): Promise<string> {
  const run = spawned ? await kevo([...args, '--db', db], { cwd: dir }) : await kevoInProcess([...args, '--db', db]);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stdout).toBe('');
  expect(existsSync(db)).toBe(false);
  return run.stderr;
}

describe('kevo on unbounded input', () => {
  it('a FIFO as the spec: refused at once, not read', async () => {
    const fifo = join(dir, 'spec.fifo');
    execFileSync('mkfifo', [fifo]);
    await refused(['campaign', 'start', fifo], /spec ".*spec\.fifo" is not a regular file \(a FIFO\)/, true);
  });

  it('/dev/zero as the spec: refused at once, not read', async () => {
    await refused(['campaign', 'start', '/dev/zero'], /spec "\/dev\/zero" is not a regular file \(a device\)/, true);
  });

  it('a directory as the spec: refused', async () => {
    await refused(['campaign', 'start', dir], /is not a regular file \(a directory\)/);
  });

  it('a spec over the size cap: refused naming the cap', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, `{"name": "${'x'.repeat(MAX_SPEC_BYTES)}"}`);
    await refused(['campaign', 'start', big], new RegExp(`big\\.json" is \\d+ bytes; a spec is at most ${MAX_SPEC_BYTES} bytes`));
  });

  it('a 100k-character --shape: the error line is cut', async () => {
    const stderr = await refused(['run', 'matmul', '--shape', '9'.repeat(100_000)], /shape "9{80}…" \(100000 characters\)/);
    expect(stderr.length).toBeLessThan(300);
  });

  it("a 100k-character unknown flag, or a command with control bytes: commander's error lines are cut and escaped", async () => {
    const flag = await refused(['run', 'matmul', '--shape', '4x4x4', `--${'x'.repeat(100_000)}`], /unknown option '--x{100,}…/);
    expect(flag.length).toBeLessThan(400);
    const command = await refused(['bad\u001b[31mcmd'], /unknown command 'bad\\u001b\[31mcmd'/);
    // eslint-disable-next-line no-control-regex
    expect(command).not.toMatch(/\u001b/);
  });

  it('a binary spec: the error line escapes control bytes and stays short', async () => {
    const binary = join(dir, 'binary.json');
    writeFileSync(binary, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0x07, ...Array.from({ length: 5000 }, (_, i) => i % 256)]));
    const stderr = await refused(['campaign', 'start', binary], /binary\.json" is not valid JSON/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(stderr.trimEnd()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(stderr.length).toBeLessThan(400);
  });

  it('unknown spec fields with huge names: quoted and cut', async () => {
    const spec = join(dir, 'keys.json');
    writeFileSync(spec, JSON.stringify({ problems: [{ op: 'matmul', shape: '8x8x8' }], ['\u001b'.repeat(10_000)]: 1 }));
    const stderr = await refused(['campaign', 'start', spec], /unknown field "(\\u001b){80}…" \(10000 characters\)/);
    expect(stderr.length).toBeLessThan(1000);
  });

  it('a 100k-character kernel id: the error line is cut', async () => {
    const existing = join(dir, 'existing.db');
    Store.open(existing).close();
    const run = await kevoInProcess(['export', 'a'.repeat(100_000), '--out', join(dir, 'out'), '--db', existing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no kernel with id "a{80}…" \(100000 characters\)/);
    expect(run.stderr.length).toBeLessThan(300);
  });

  it('a spec with a UTF-8 byte-order mark is accepted', async () => {
    const bom = join(dir, 'bom.json');
    const bomDb = join(dir, 'bom.db');
    writeFileSync(bom, `\uFEFF${JSON.stringify({ problems: [{ op: 'matmul', shape: '8x8x8' }], budget: { evaluations: 1 }, population: 2, threads: 1, promote: 0, db: bomDb })}`);
    const run = await kevo(['campaign', 'start', bom, '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'done' });
  });
});
