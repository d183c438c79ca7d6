import type { Backend } from '../genome/genome.ts';
import { opFor, type Problem } from '../genome/ops/index.ts';
import type { DeviceClass } from '../protocol/device.ts';
import { ENTRY as WASM_ENTRY, layoutFor } from '../worker/wasm/abi.ts';
import { BINDINGS, ENTRY as WGSL_ENTRY } from '../worker/webgpu/abi.ts';

/** The op's math contract and its reference, in words an LLM (or a person) can check a kernel against. */
export function opContractText(problem: Problem): string {
  const op = opFor(problem);
  const tensors = [...op.inputs(problem), op.output(problem)].map((t) => `${t.name}[${t.dims.join(',')}]`).join(', ');
  const tolerance = op.tolerance(problem, 'f32');
  return [
    `Op: ${op.name} ${op.formatShape(problem.shape)} (${problem.dtype}), tensors ${tensors}, all row-major f32.`,
    'Reference: C[i,j] = sum over p of A[i,p] * B[p,j], accumulated in f64; any summation order is allowed.',
    `Tolerance: |got - want| <= ${tolerance.abs} + ${tolerance.rel.toExponential(2)} * sum over p of |A[i,p]| * |B[p,j]|.`,
    'NaN and Inf in the inputs must propagate as IEEE arithmetic would.',
  ].join('\n');
}

/** The kernel ABI of a backend for this problem: what a hand-written source must obey to be loaded at all. */
export function abiText(problem: Problem, backend: Backend): string {
  if (backend === 'wasm') {
    const layout = layoutFor(problem);
    const [a, b] = layout.inputs;
    return [
      'ABI (WebAssembly text, 128-bit SIMD; relaxed SIMD only if the device has it):',
      '  (module (import "env" "memory" (memory 1))',
      `    (func (export "${WASM_ENTRY}") (param $a i32) (param $b i32) (param $c i32) (param $ws i32) ...))`,
      `$a, $b, $c are byte offsets of A, B and C (here ${a!.offset}, ${b!.offset}, ${layout.output.offset}); $ws is a scratch area of ${layout.workspace.length} f32 for packing.`,
      'Shapes are constants in the source. Memory is imported: do not declare another memory, and do not grow it.',
      'C is poisoned before every call: write every element. Never write A or B. Keep no state between calls.',
    ].join('\n');
  }
  return [
    'ABI (WGSL compute shader):',
    `  @group(0) @binding(${BINDINGS.a}) var<storage, read> A: array<f32>;`,
    `  @group(0) @binding(${BINDINGS.b}) var<storage, read> B: array<f32>;`,
    `  @group(0) @binding(${BINDINGS.c}) var<storage, read_write> C: array<f32>;`,
    `  @compute @workgroup_size(...) fn ${WGSL_ENTRY}(...)`,
    'B and C may be array<vec4<f32>> when N is a multiple of 4. Shapes are constants in the source.',
    'The host dispatches (ceil(N / tile.cols), ceil(M / tile.rows), 1) workgroups: reply with the output tile one workgroup covers.',
    'C is poisoned before every dispatch: write every element. Never write A or B. Buffers are exactly as long as their tensors.',
  ].join('\n');
}

/** The device class's facts that change what a fast kernel looks like. */
export function deviceText(device: DeviceClass): string {
  const facts = device.facts;
  if (facts.backend === 'wasm') {
    return [
      `Device: ${device.label}: ${facts.cpu}, ${facts.cores} cores, ${facts.arch}, Node ${facts.node} (V8 ${facts.v8}).`,
      `SIMD width 128 bits (4 x f32 per v128); relaxed SIMD (f32x4.relaxed_madd): ${facts.relaxedSimd ? 'yes' : 'no, do not use it'}.`,
      'One thread runs the kernel; the JIT keeps about 15 v128 values in registers.',
    ].join('\n');
  }
  const limits = ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupStorageSize']
    .filter((name) => facts.limits[name] !== undefined)
    .map((name) => `${name} ${facts.limits[name]}`)
    .join(', ');
  return [
    `Device: ${device.label}: ${facts.vendor} ${facts.architecture} ${facts.description}${facts.fallback ? ' (software adapter)' : ''}.`,
    `Features: ${facts.features.join(', ') || 'none'}. Limits: ${limits}.`,
  ].join('\n');
}
