import type { EpilogueSpec } from '../ops/epilogue.ts';

/** One extra dispatch after the main one, over the same bindings (an unfused epilogue stage). */
export interface WgslPass {
  readonly entry: string;
  readonly workgroupSize: [number, number, number];
  readonly dispatch: [number, number, number];
}

/** The tensors' bindings in ABI order: A, B, then bias and R when the epilogue has them, then C. */
export function bindingDeclarations(e: EpilogueSpec, wide: boolean): string[] {
  const element = wide ? 'vec4<f32>' : 'f32';
  const decls = [
    'var<storage, read> A: array<f32>;',
    `var<storage, read> B: array<${element}>;`,
    ...(e.bias ? ['var<storage, read> bias: array<f32>;'] : []),
    ...(e.residual ? [`var<storage, read> R: array<${element}>;`] : []),
    `var<storage, read_write> C: array<${element}>;`,
  ];
  return decls.map((d, i) => `@group(0) @binding(${i}) ${d}`);
}

/**
 * The activations in WGSL, for f32 and vec4<f32>. GELU (tanh form) and SiLU
 * are x * sigmoid(z): 0.5(1 + tanh(y)) = sigmoid(2y), with no cancellation
 * where tanh(y) nears -1. relu keeps a NaN a NaN (max alone may drop it).
 */
export function activationFunctions(e: EpilogueSpec): string[] {
  if (e.activation === null) return [];
  const both = (body: (t: string, u: string) => string) => [body('f32', 'u32'), body('vec4<f32>', 'vec4<u32>')];
  const suffix = (t: string) => (t === 'f32' ? '' : '4');
  if (e.activation === 'relu') {
    // NaN is tested on the bits: lavapipe folds x != x to false, and max(NaN, 0) to 0.
    return both((t, u) => `fn relu${suffix(t)}(x: ${t}) -> ${t} { return select(max(x, ${t}(0.0)), x, (bitcast<${u}>(x) & ${u}(0x7fffffffu)) > ${u}(0x7f800000u)); }`);
  }
  const z = e.activation === 'silu' ? 'x' : `${2 * Math.sqrt(2 / Math.PI)} * (x + 0.044715 * x * x * x)`;
  return both((t) => `fn ${e.activation}${suffix(t)}(x: ${t}) -> ${t} { return x / (${t}(1.0) + exp(-(${z}))); }`);
}

/**
 * `value` (f32, or vec4<f32> when `vector`) through the epilogue; `col` and
 * `at` are WGSL expressions: its first column, and its index in C's array.
 */
export function applyEpilogue(e: EpilogueSpec, value: string, vector: boolean, col: string, at: string): string {
  let v = value;
  if (e.bias) v = `(${v} + ${vector ? `vec4<f32>(bias[${col}], bias[${col} + 1u], bias[${col} + 2u], bias[${col} + 3u])` : `bias[${col}]`})`;
  if (e.activation) v = `${e.activation}${vector ? '4' : ''}(${v})`;
  if (e.residual) v = `(${v} + R[${at}])`;
  return v;
}

/**
 * A separate dispatch over C applying `e`: thread (x, y) owns one element (or
 * one vec4 when C is wide) of row y. How a framework without fusion runs it.
 */
export function passEntry(name: string, e: EpilogueSpec, shape: { m: number; n: number }, wide: boolean): { code: string[]; pass: WgslPass } {
  const width = wide ? 4 : 1;
  const groups = shape.n / width;
  const code = [
    '',
    '@compute @workgroup_size(64, 1, 1)',
    `fn ${name}(@builtin(global_invocation_id) id: vec3<u32>) {`,
    `  if (id.x >= ${Math.ceil(groups)}u) { return; }`,
    `  let at = id.y * ${Math.ceil(groups)}u + id.x;`,
    `  C[at] = ${applyEpilogue(e, 'C[at]', wide, `id.x * ${width}u`, 'at')};`,
    '}',
  ];
  return { code, pass: { entry: name, workgroupSize: [64, 1, 1], dispatch: [Math.ceil(groups / 64), shape.m, 1] } };
}
