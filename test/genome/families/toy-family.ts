/**
 * A toy op, `vadd` (Y = X + Z over a rows x cols matrix), and its WASM kernel
 * family, known to no source file: importing this module registers both, and
 * worker threads import it too (RunnerOptions.families). It is the "add an op"
 * recipe of docs/architecture.md, end to end.
 */
import type { Storage } from '../../../genome/dtypes/dtype.ts';
import { z } from 'zod';
import { defineFamily } from '../../../genome/families/family.ts';
import { wasmLaunch } from '../../../genome/families/abi.ts';
import { registerFamily } from '../../../genome/families/registry.ts';
import { problemFields } from '../../../genome/ops/fields.ts';
import { unitRoundoff, type Op } from '../../../genome/ops/index.ts';
import { registerOp } from '../../../genome/ops/registry.ts';
import { KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';

const dimension = z.number().int().min(1).max(4096);
export const VaddProblem = z.object({ op: z.literal('vadd'), shape: z.object({ rows: dimension, cols: dimension }).strict(), ...problemFields }).strict();
export type VaddProblem = z.infer<typeof VaddProblem>;

const each = (p: VaddProblem, [x, z]: readonly Storage[], f: (a: number, b: number) => number) => {
  const out = new Float64Array(p.shape.rows * p.shape.cols);
  for (let i = 0; i < out.length; i++) out[i] = f(x![i]!, z![i]!);
  return out;
};

export const vadd: Op<VaddProblem> = {
  name: 'vadd',
  problem: VaddProblem,
  contract: { formula: 'Y[i,j] = X[i,j] + Z[i,j]', magnitude: '|X[i,j]| + |Z[i,j]|' },
  parseShape(text) {
    const match = /^(\d+)x(\d+)$/.exec(text.trim());
    const parsed = VaddProblem.shape.shape.safeParse(match ? { rows: Number(match[1]), cols: Number(match[2]) } : null);
    if (!parsed.success) throw new KevoError('BAD_INPUT', `shape "${text}": expected RxC with positive integers`);
    return parsed.data;
  },
  formatShape: ({ rows, cols }) => `${rows}x${cols}`,
  inputs: ({ shape: { rows, cols }, dtype }) => [
    { name: 'X', dims: [rows, cols], dtype },
    { name: 'Z', dims: [rows, cols], dtype },
  ],
  output: ({ shape: { rows, cols }, dtype }) => ({ name: 'Y', dims: [rows, cols], dtype }),
  reference: (p, inputs) => each(p, inputs, (a, b) => a + b),
  magnitude: (p, inputs) => each(p, inputs, (a, b) => Math.abs(a) + Math.abs(b)),
  // One rounding per element.
  tolerance: (_p, precision) => ({ abs: 1e-30, rel: 2 * unitRoundoff[precision] }),
  flops: ({ shape }) => shape.rows * shape.cols,
  bytes: ({ shape }) => 12 * shape.rows * shape.cols,
  edgeShapes: (p) => [{ ...p, shape: { rows: 1, cols: 1 } }, { ...p, shape: { rows: 3, cols: 7 } }],
};

/** The genes: how many f32x4 vectors one loop step adds. */
export const VaddWasmGenome = z.object({ op: z.literal('vadd'), backend: z.literal('wasm'), family: z.literal('simd'), unroll: z.union([z.literal(1), z.literal(2), z.literal(4)]) }).strict();
export type VaddWasmGenome = z.infer<typeof VaddWasmGenome>;

const UNROLLS = [1, 2, 4] as const;
const genome = (unroll: VaddWasmGenome['unroll']): VaddWasmGenome => ({ op: 'vadd', backend: 'wasm', family: 'simd', unroll });

/** Y = X + Z, `step` floats per loop turn (4 per vector), a scalar tail for the rest. */
function vaddWat(p: VaddProblem, step: number, vector: boolean): string {
  const n = p.shape.rows * p.shape.cols;
  const body = vector ? Math.floor(n / step) * step : 0;
  const at = (param: string, offset: number) => `(i32.add (local.get $${param}) (i32.add (local.get $i) (i32.const ${offset})))`;
  const vectors = Array.from({ length: step / 4 }, (_, v) => `(v128.store ${at('y', v * 16)} (f32x4.add (v128.load ${at('x', v * 16)}) (v128.load ${at('z', v * 16)})))`);
  const loop = (label: string, from: number, to: number, bytes: number, ops: string[]) =>
    to <= from
      ? ''
      : `(local.set $i (i32.const ${from * 4}))
    (loop ${label}
      ${ops.join('\n      ')}
      (local.set $i (i32.add (local.get $i) (i32.const ${bytes})))
      (br_if ${label} (i32.lt_u (local.get $i) (i32.const ${to * 4}))))`;
  return `(module
  (import "env" "memory" (memory 1))
  (func (export "vadd") (param $x i32) (param $z i32) (param $y i32) (param $ws i32) (local $i i32)
    ${loop('$vectors', 0, body, step * 4, vectors)}
    ${loop('$scalars', body, n, 4, [`(f32.store ${at('y', 0)} (f32.add (f32.load ${at('x', 0)}) (f32.load ${at('z', 0)})))`])}))
`;
}

export const vaddWasm = defineFamily({
  op: vadd,
  backend: 'wasm',
  name: 'simd',
  genome: VaddWasmGenome,
  space: () => ({
    name: 'vadd/wasm',
    schema: VaddWasmGenome,
    sample: (rng: Rng) => genome(rng.pick(UNROLLS)),
    mutate: (g, rng) => genome(rng.pick(UNROLLS.filter((u) => u !== g.unroll))),
    crossover: (a, b, rng) => (rng.chance(0.5) ? a : b),
    check: (g) => (VaddWasmGenome.safeParse(g).success ? null : 'not a vadd/wasm genome'),
    repair: (g) => (VaddWasmGenome.safeParse(g).success ? g : null),
    seeds: () => [genome(4)],
    enumerate: () => UNROLLS.map(genome),
    descriptor: (g) => ['f32', `unroll:${g.unroll}`],
  }),
  codegen: (g, p) => ({ language: 'wat', text: vaddWat(p, 4 * g.unroll, true), launch: wasmLaunch(p) }),
  baseline: (p) => ({ language: 'wat', text: vaddWat(p, 1, false), launch: wasmLaunch(p) }),
  precision: () => 'f32',
  unsupported: () => null,
  describe: (g) => `${g.unroll} vectors a step`,
});

registerOp(vadd);
registerFamily(vaddWasm);
