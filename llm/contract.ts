import { dtypeOf } from '../genome/dtypes/index.ts';
import { wasmLaunch } from '../genome/families/abi.ts';
import type { Backend } from '../genome/genome.ts';
import { accuracyOf, opFor, outputsOf, type Problem } from '../genome/ops/index.ts';
import type { DeviceClass } from '../protocol/device.ts';

/** The op's math contract and its reference, in words an LLM (or a person) can check a kernel against. */
export function opContractText(problem: Problem): string {
  const op = opFor(problem);
  const inputs = op.inputs(problem);
  const outputs = outputsOf(op, problem);
  const output = outputs[0]!;
  const tensors = [...inputs, ...outputs].map((t) => `${t.name}[${t.dims.join(',')}] ${t.dtype}`).join(', ');
  const tolerance = op.tolerance(problem, 'f32');
  return [
    `Op: ${op.name} ${op.formatShape(problem.shape)}, tensors ${tensors}, all row-major; accuracy contract ${accuracyOf(problem)}.`,
    `Reference: ${op.contract.formula}, accumulated in f64; any summation order is allowed.`,
    ...[op.dtypeContract?.(problem)].filter((line) => line !== undefined),
    ...(dtypeOf(output.dtype).kind === 'int'
      ? [`Exact: ${outputs.map((t) => t.name).join(' and ')} must equal the reference bit for bit.`]
      : [
          `Tolerance: |got - want| <= ${tolerance.abs} + ${tolerance.rel.toExponential(2)} * ${op.contract.magnitude}.`,
          'NaN and Inf in the inputs must propagate as IEEE arithmetic would.',
        ]),
  ].join('\n');
}

/** The kernel ABI of a backend for this problem (genome/families/abi.ts): what a hand-written source must obey to be loaded at all. */
export function abiText(problem: Problem, backend: Backend): string {
  const op = opFor(problem);
  const inputs = op.inputs(problem);
  const outputs = outputsOf(op, problem);
  const tensors = [...inputs, ...outputs];
  const output = outputs[0]!;
  const outputNames = outputs.map((t) => t.name).join(' and ');
  const inputNames = inputs.map((t) => t.name).join(', ');
  if (backend === 'wasm') {
    const launch = wasmLaunch(problem);
    const params = [...launch.tensors.map((t) => `(param $${t.name.toLowerCase()} i32)`), '(param $ws i32)'].join(' ');
    return [
      'ABI (WebAssembly text, 128-bit SIMD; relaxed SIMD only if the device has it):',
      '  (module (import "env" "memory" (memory 1))',
      `    (func (export "${launch.entry}") ${params} ...))`,
      `Each parameter is the byte offset of its tensor (here ${launch.tensors.map((t) => `${t.name} ${t.offset}`).join(', ')}); $ws is a scratch area of ${launch.workspace.length} f32 at ${launch.workspace.offset}.`,
      'Shapes are constants in the source. Memory is imported: do not declare another memory, and do not grow it.',
      `${outputNames} ${outputs.length > 1 ? 'are' : 'is'} poisoned before every call: write every element. Never write ${inputNames}. Keep no state between calls.`,
    ].join('\n');
  }
  return [
    'ABI (WGSL compute shader):',
    ...tensors.map((t, i) => `  @group(0) @binding(${i}) var<storage, ${i >= inputs.length ? 'read_write' : 'read'}> ${t.name}: array<${t.dtype}>;`),
    '  @compute @workgroup_size(...) fn main(...)',
    `Any tensor may be declared as array<vec4<${output.dtype}>> when its last dimension is a multiple of 4. Shapes are constants in the source.`,
    `The host dispatches (ceil(columns / tile.cols), ceil(rows / tile.rows), 1) workgroups over ${output.name}'s last dimension (columns) and the others (rows): reply with the output tile one workgroup covers.`,
    `${outputNames} ${outputs.length > 1 ? 'are' : 'is'} poisoned before every dispatch: write every element. Never write ${inputNames}. Buffers are exactly as long as their tensors.`,
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
