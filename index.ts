/**
 * kevo as a library: what a script needs to describe, generate, evaluate and
 * search kernels without the CLI (published as compiled JavaScript in dist/).
 */
export { matmul } from './genome/ops/matmul.ts';
export { opByName, problemKey, registerOp, problemFrom, type Op, type Problem, type MatmulProblem } from './genome/ops/index.ts';
export { defineFamily, type FamilyDefinition, type KernelFamily } from './genome/families/family.ts';
export { familyFor, registerFamily } from './genome/families/registry.ts';
export { wasmLaunch, webgpuLaunch } from './genome/families/abi.ts';
export { Genome, genomeHash, type Backend } from './genome/genome.ts';
export { MatmulWasmGenome } from './genome/wasm/genome.ts';
export { MatmulWebgpuGenome } from './genome/webgpu/genome.ts';
export { SourceGenome } from './genome/source.ts';
export { matmulWat } from './genome/wasm/codegen.ts';
export { baselineWat, defaultWasmGenome } from './genome/wasm/baseline.ts';
export { wasmMatmulSpace } from './genome/wasm/space.ts';
export { matmulWgsl } from './genome/webgpu/codegen.ts';
export { webgpuMatmulSpace } from './genome/webgpu/space.ts';
export { Job, KernelJob, Result, KernelResult, DeviceClass, PROTOCOL_VERSION } from './protocol/index.ts';
export { Evaluator } from './worker/evaluator.ts';
export { evaluateGenome } from './worker/evaluate-genome.ts';
export { verify } from './verifiers/harness.ts';
export { createStrategy, strategyNames } from './coordinator/strategies/index.ts';
export { createCampaign, runCampaign } from './coordinator/campaign.ts';
export { parseSpec, CampaignSpec } from './coordinator/spec.ts';
export { Store } from './coordinator/store/store.ts';
export { EmbeddedTransport } from './coordinator/transport/embedded.ts';
export { NatsTransport } from './coordinator/transport/nats.ts';
export { KevoError } from './lib/errors.ts';
