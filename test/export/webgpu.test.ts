import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuUserPrelude } from '../helpers/webgpu-user.ts';
import { matmul } from '../../genome/ops/matmul.ts';
import { matmulWgsl } from '../../genome/webgpu/codegen.ts';
import type { MatmulWebgpuGenome } from '../../genome/webgpu/genome.ts';
import { webgpuExportFiles, wgslFeatures } from '../../export/webgpu.ts';
import { familyFor } from '../../genome/families/registry.ts';
import { WebgpuLaunch } from '../../genome/families/launch.ts';
import type { Genome } from '../../genome/genome.ts';
import { checkOutput } from '../../verifiers/compare.ts';
import { formats, randomInputs } from '../../verifiers/inputs.ts';
import { opFor, parseProblem, referencesOf } from '../../genome/ops/index.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { Rng } from '../../lib/rng.ts';
import { hostile, naiveWgsl, wgslSource } from '../worker/webgpu/hostile.ts';
import { describeGpu, matmulProblem, normalInputs } from '../worker/webgpu/support.ts';

const problem = matmulProblem(37, 29, 50);
const genome: MatmulWebgpuGenome = {
  op: 'matmul',
  backend: 'webgpu', family: 'tiled', workgroupX: 8, workgroupY: 8, tm: 4, tn: 2, vec: 4,
  kTile: 64, workgroupMemory: true, doubleBuffer: true, unroll: 4, precision: 'f16',
};
const family = familyFor('matmul', 'webgpu');
const launchOf = (g: Genome) => WebgpuLaunch.parse(family.code(g, problem).launch);
const files = () => webgpuExportFiles({ problem, genome, wgsl: matmulWgsl(genome, problem).wgsl, launch: launchOf(genome), deviceLabel: 'webgpu test adapter' });

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('webgpuExportFiles (pure)', () => {
  it('writes the kernel, a loader with typings, and meta naming what the kernel needs', () => {
    const out = files();
    expect(Object.keys(out).sort()).toEqual(['index.d.ts', 'index.js', 'kernel.wgsl', 'meta.json']);
    const meta = JSON.parse(out['meta.json']!);
    expect(meta).toMatchObject({ backend: 'webgpu', problem, genome, features: ['shader-f16'], workgroupSize: [8, 8, 1], tile: { rows: 32, cols: 64 }, dispatch: [1, 2, 1] });
    // Two buffers, K-deep (50 < kTile), of a 32-row and a 64-column f16 tile: above the default 16 KiB.
    expect(meta.limits).toEqual({ maxComputeWorkgroupStorageSize: 2 * 50 * (32 + 64) * 2 });
    expect(out['index.d.ts']).toContain('export declare function load(device?: GPUDevice)');
    expect(out['index.d.ts']).toContain('export type Inputs = readonly [A: Float32Array, B: Float32Array];');
    expect(meta.abi).toEqual({
      entry: 'main',
      inputs: [{ name: 'A', dims: [37, 50], dtype: 'f32', binding: 0 }, { name: 'B', dims: [50, 29], dtype: 'f32', binding: 1 }],
      output: { name: 'C', dims: [37, 29], dtype: 'f32', binding: 2 },
    });
  });

  it('takes a source kernel\'s tile from its genome, and refuses one without', () => {
    const source = wgslSource(naiveWgsl(problem));
    expect(JSON.parse(webgpuExportFiles({ problem, genome: source, wgsl: source.text, launch: launchOf(source), deviceLabel: 'x' })['meta.json']!).dispatch).toEqual([2, 3, 1]);
    const { tile: _tile, ...untiled } = source;
    expect(() => launchOf(untiled)).toThrow(/must say the output tile/);
  });

  it('refuses a kernel of another backend', () => {
    const wat = { op: 'matmul', backend: 'wasm', family: 'source', language: 'wat', text: '(module)' } as const;
    expect(() => webgpuExportFiles({ problem, genome: wat, wgsl: '', launch: launchOf(genome), deviceLabel: 'x' })).toThrow(/a wasm kernel cannot be exported as WebGPU/);
  });

  it('reads needed features from enable directives', () => {
    expect(wgslFeatures('enable f16;\nenable subgroups;\nfn main() {}')).toEqual(['shader-f16', 'subgroups']);
    expect(wgslFeatures(hostile.writesNothing(problem))).toEqual([]);
  });
});

/** Loads the exported module in a plain Node child with a device from the `webgpu` package, as a user would. */
const USER_SCRIPT = `
import { readFileSync, writeFileSync } from 'node:fs';
${webgpuUserPrelude("'./index.js'")}
// Count the buffers the kernel makes and the readbacks it maps.
const counts = { buffers: 0, maps: 0 };
const createBuffer = device.createBuffer.bind(device);
device.createBuffer = (descriptor) => {
  counts.buffers++;
  const buffer = createBuffer(descriptor);
  const mapAsync = buffer.mapAsync.bind(buffer);
  buffer.mapAsync = (...args) => (counts.maps++, mapAsync(...args));
  return buffer;
};
const kernel = await exported.load(device);
const afterLoad = { ...counts };
const read = (name) => new Float32Array(readFileSync(name).buffer.slice(0));
const [a, b] = [read('a.bin'), read('b.bin')];
const c = await kernel.run(a, b);
writeFileSync('c.bin', c);
// The same arrays every call: the kernel's own output, or the caller's out.
const out = new Float32Array(c.length);
const again = await kernel.run(a, b);
const into = await kernel.run(a, b, out);
const same = { own: c === kernel.output && again === c, out: into === out, equal: out.every((v, i) => v === c[i]) };
const perRuns = { buffers: counts.buffers - afterLoad.buffers, maps: counts.maps - afterLoad.maps };
const rejected = await Promise.all([
  kernel.run(new Float32Array(3), b),
  kernel.run(a, b, new Float32Array(c.length + 1)),
].map((run) => run.then(() => 'accepted', (e) => e.name + ': ' + e.message)));
writeFileSync('checks.json', JSON.stringify({ same, afterLoad, perRuns, rejected }));
kernel.destroy();
device.destroy();
delete globalThis.keepGpu;
`;

describeGpu('the exported WebGPU module', () => {
  it('loads on a device from the webgpu package and matches the reference on fresh inputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kevo-webgpu-export-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files())) writeFileSync(join(dir, name), content);
    writeFileSync(join(dir, 'user.mjs'), USER_SCRIPT);
    const inputs = normalInputs(problem, 99);
    writeFileSync(join(dir, 'a.bin'), inputs[0]!);
    writeFileSync(join(dir, 'b.bin'), inputs[1]!);
    await promisify(execFile)(process.execPath, ['user.mjs'], { cwd: dir, timeout: 60_000 });
    const got = new Float32Array(readFileSync(join(dir, 'c.bin')).buffer.slice(0));
    const expected = { indices: null, want: matmul.reference(problem, inputs), magnitude: matmul.magnitude(problem, inputs) };
    expect(checkOutput(got, expected, matmul.tolerance(problem, 'f16'), matmul.output(problem))).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, 'checks.json'), 'utf8'))).toEqual({
      same: { own: true, out: true, equal: true },
      // Two inputs, the result and one staging buffer, made by load(); three runs then make none and map it thrice.
      afterLoad: { buffers: 4, maps: 0 },
      perRuns: { buffers: 0, maps: 3 },
      rejected: ['RangeError: run(): input A must have 1850 elements, got 3', 'RangeError: run(): out must have 1073 elements, got 1074'],
    });
  });

  it('returns every output of a kernel with several, in ABI order (i16 requantized: C, c_shift), bit exact on fresh inputs', async () => {
    const i16 = parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'i16', output: 'i16' }) as MatmulProblem;
    const i16Family = familyFor('matmul', 'webgpu', 'i16');
    const seed: Genome = { op: 'matmul', backend: 'webgpu', family: 'i16', workgroupX: 8, workgroupY: 8, tm: 2, tn: 1, unroll: 2, unpack: 'shift', combine: 'block' };
    const code = i16Family.code(seed, i16);
    const exported = webgpuExportFiles({ problem: i16, genome: seed, wgsl: code.text, launch: WebgpuLaunch.parse(code.launch), deviceLabel: 'x' });
    expect(JSON.parse(exported['meta.json']!).abi.outputs).toEqual([
      { name: 'C', dims: [37, 53], dtype: 'i16', binding: 2 },
      { name: 'c_shift', dims: [1], dtype: 'i8', binding: 3 },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'kevo-webgpu-export-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(exported)) writeFileSync(join(dir, name), content);
    const inputs = randomInputs(i16, 'uniform', new Rng(4), formats.f32);
    inputs.forEach((t, i) => writeFileSync(join(dir, `x${i}.bin`), t));
    writeFileSync(
      join(dir, 'user.mjs'),
      `import { readFileSync, writeFileSync } from 'node:fs';
${webgpuUserPrelude("'./index.js'")}
const kernel = await exported.load(device);
const read = (name) => {
  const bytes = readFileSync(name);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};
const outputs = await kernel.run(read('x0.bin'), read('x1.bin'));
writeFileSync('got.json', JSON.stringify({ own: outputs === kernel.outputs, values: outputs.map((o) => [o.constructor.name, ...o]) }));
kernel.destroy();
device.destroy();
delete globalThis.keepGpu;
`,
    );
    await promisify(execFile)(process.execPath, ['user.mjs'], { cwd: dir, timeout: 60_000 });
    const [c, shift] = referencesOf(opFor(i16), i16, inputs);
    expect(JSON.parse(readFileSync(join(dir, 'got.json'), 'utf8'))).toEqual({ own: true, values: [['Int16Array', ...c!], ['Int8Array', ...shift!]] });
  });
});
