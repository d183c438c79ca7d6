import { hasEpilogue, separateStages, type Activation, type EpilogueSpec } from '../ops/epilogue.ts';
import { get, i32, indent, loadLanes, storeLanes } from './wat.ts';

export { hasEpilogue, type EpilogueSpec };

/**
 * A matmul epilogue in WAT: bias (added by column), one activation, residual
 * (added element by element), applied to a v128 of C's columns. Where the
 * tensors are comes from the entry's parameters, kept in globals so a register
 * tile deep in the block loops can reach them.
 */
/** The entry's extra parameters, in ABI order between B and C. */
export function epilogueParams(e: EpilogueSpec): string {
  return [e.bias ? '(param $bias i32)' : '', e.residual ? '(param $r i32)' : ''].filter(Boolean).join(' ');
}

export function epilogueGlobals(e: EpilogueSpec): string {
  if (!hasEpilogue(e)) return '';
  return `(global $g_bias (mut i32) (i32.const 0))
(global $g_r (mut i32) (i32.const 0))
(global $g_c (mut i32) (i32.const 0))`;
}

/** At the top of the entry: remember where bias, R and C are. */
export function saveEpiloguePointers(e: EpilogueSpec): string {
  if (!hasEpilogue(e)) return '';
  return [e.bias ? `(global.set $g_bias ${get('bias')})` : '', e.residual ? `(global.set $g_r ${get('r')})` : '', `(global.set $g_c ${get('c')})`].filter(Boolean).join('\n');
}

/**
 * `value` (a v128 of `lanes` columns) through the epilogue; `biasAt` and
 * `residualAt` are the byte addresses of its first column's bias and R element.
 */
export function applyEpilogue(e: EpilogueSpec, value: string, lanes: number, biasAt: string, residualAt: string): string {
  let v = value;
  if (e.bias) v = `(f32x4.add ${v} ${loadLanes(lanes, biasAt, 0)})`;
  if (e.activation) v = `(call $${e.activation} ${v})`;
  if (e.residual) v = `(f32x4.add ${v} ${loadLanes(lanes, residualAt, 0)})`;
  return v;
}

/**
 * The activations on four lanes. WASM has no exp: 2^t is 2^round(t) (built
 * in the exponent bits) times a degree-7 Taylor polynomial of 2^f on
 * [-1/2, 1/2] (relative error ~5e-9). t is clamped to [-125, 124], so exp
 * never overflows, never returns a subnormal, and 1 / (1 + exp) never is one
 * either: x86 takes ~100 cycles per subnormal operand and WASM has no
 * flush-to-zero (GELU over a 1024x1024 C ran 4x slower without the clamp).
 * The error this adds is below 2^-124 absolute. NaN passes through min, max
 * and the polynomial. GELU (tanh
 * form) and SiLU are both x * sigmoid(z): 0.5(1 + tanh(y)) = sigmoid(2y), which
 * has no cancellation where tanh(y) is near -1.
 */
export function activationFuncs(activation: Activation | null): string {
  if (activation === null) return '';
  if (activation === 'relu') {
    // f32x4.max propagates NaN (pmax would not).
    return `(func $relu (param $x v128) (result v128)
  (f32x4.max ${get('x')} (v128.const f32x4 0 0 0 0)))`;
  }
  const LN2 = Math.LN2;
  const coefficients = Array.from({ length: 8 }, (_, i) => LN2 ** i / factorial(i));
  const horner = coefficients
    .slice(0, -1)
    .reverse()
    .reduce((acc, c) => `(f32x4.add ${splat(c)} (f32x4.mul ${get('f')} ${acc}))`, splat(coefficients[coefficients.length - 1]!));
  const exp = `(func $exp (param $x v128) (result v128) (local $t v128) (local $n v128) (local $f v128)
  (local.set $t (f32x4.min ${splat(124)} (f32x4.max ${splat(-125)} (f32x4.mul ${get('x')} ${splat(Math.LOG2E)}))))
  (local.set $n (f32x4.nearest ${get('t')}))
  (local.set $f (f32x4.sub ${get('t')} ${get('n')}))
  (f32x4.mul
    ${horner}
    (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s ${get('n')}) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
(func $sigmoid (param $z v128) (result v128)
  (f32x4.div ${splat(1)} (f32x4.add ${splat(1)} (call $exp (f32x4.neg ${get('z')})))))`;
  const z =
    activation === 'silu'
      ? get('x')
      : `(f32x4.mul ${splat(2 * Math.sqrt(2 / Math.PI))} (f32x4.add ${get('x')} (f32x4.mul ${splat(0.044715)} (f32x4.mul ${get('x')} (f32x4.mul ${get('x')} ${get('x')})))))`;
  return `${exp}
(func $${activation} (param $x v128) (result v128)
  (f32x4.mul ${get('x')} (call $sigmoid ${z})))`;
}

/**
 * A separate pass over C[M,N] applying `e`, row by row (a row's last columns
 * with narrower vectors): how an unfused framework runs an epilogue stage.
 */
export function epiloguePassFunc(name: string, e: EpilogueSpec, m: number, n: number): string {
  const full = Math.floor(n / 4);
  const tail = n % 4;
  const at = (base: string) => `(i32.add ${base} ${get('col')})`;
  const step = (lanes: number) =>
    storeLanes(lanes, at(get('row')), 0, applyEpilogue(e, loadLanes(lanes, at(get('row')), 0), lanes, at('(global.get $g_bias)'), at(`(i32.add ${get('row')} ${get('rd')})`)));
  const vectors = full
    ? `(local.set $col (i32.const 0))
(loop $cols
${indent(step(4), 1)}
  (local.set $col (i32.add ${get('col')} (i32.const 16)))
  (br_if $cols (i32.lt_u ${get('col')} ${i32(full * 16)})))`
    : '';
  const last = tail ? `(local.set $col ${i32(full * 16)})\n${step(tail)}` : '';
  return `;; epilogue pass over C: ${[e.bias ? 'bias' : '', e.activation ?? '', e.residual ? 'residual' : ''].filter(Boolean).join(', ')}
(func ${name} (local $row i32) (local $col i32) (local $rd i32) (local $end i32)
  (local.set $row (global.get $g_c))
  (local.set $rd (i32.sub (global.get $g_r) (global.get $g_c)))
  (local.set $end (i32.add (global.get $g_c) ${i32(m * n * 4)}))
  (loop $rows
${indent([vectors, last].filter(Boolean).join('\n'), 2)}
    (local.set $row (i32.add ${get('row')} ${i32(n * 4)}))
    (br_if $rows (i32.lt_u ${get('row')} ${get('end')}))))`;
}

/** The epilogue as separate passes over C[M,N] (one function per stage, reading the globals), and the calls that run them once C is whole. */
export function epiloguePasses(e: EpilogueSpec, m: number, n: number): { funcs: string[]; calls: string } {
  const stages = separateStages(e);
  return { funcs: stages.map(([name, spec]) => epiloguePassFunc(`$${name}`, spec, m, n)), calls: stages.map(([name]) => `(call $${name})`).join('\n') };
}

/** For a register tile whose C starts at $c: the addresses of its first column's bias and R element. */
export function tileEpilogueAddresses(n: number): { setup: string; bias: (offset: number) => string; residual: (offset: number) => string } {
  return {
    setup: `(local.set $bj (i32.add (global.get $g_bias) (i32.shl (i32.rem_u (i32.shr_u (i32.sub ${get('c')} (global.get $g_c)) (i32.const 2)) ${i32(n)}) (i32.const 2))))
(local.set $rd (i32.add ${get('c')} (i32.sub (global.get $g_r) (global.get $g_c))))`,
    bias: (offset) => `(i32.add ${get('bj')} ${i32(offset)})`,
    residual: (offset) => `(i32.add ${get('rd')} ${i32(offset)})`,
  };
}

const splat = (x: number) => `(f32x4.splat (f32.const ${Math.fround(x)}))`;

function factorial(i: number): number {
  return i <= 1 ? 1 : i * factorial(i - 1);
}
