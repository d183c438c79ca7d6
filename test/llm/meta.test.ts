import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { LlmArchive } from '../../llm/archive.ts';
import { MemoryLlmCache } from '../../llm/cache.ts';
import { LlmClient } from '../../llm/client.ts';
import { breedPrompt } from '../../llm/meta.ts';
import { proposeSource } from '../../llm/operators.ts';
import { LlmEndpoint } from '../../llm/options.ts';
import { promptRecord } from '../../llm/prompt.ts';
import { seedPrompts } from '../../llm/templates.ts';
import type { DeviceClass, GpuFacts } from '../../protocol/device.ts';
import { inOrder, json, startLlmServer, type LlmServer } from '../../testkit/llm-server.ts';
import { spaceOf } from '../../testkit/spaces.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 64, n: 64, k: 64 }, dtype: 'f32' };
const gpuFacts: GpuFacts = { backend: 'webgpu', vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'lavapipe', fallback: true, features: ['shader-f16'], limits: { maxComputeInvocationsPerWorkgroup: 256 } };
const gpu: DeviceClass = { id: 'g1', label: 'lavapipe', facts: gpuFacts };

let server: LlmServer;
let client: LlmClient;
beforeAll(async () => {
  server = await startLlmServer(() => ({ status: 500 }));
  client = new LlmClient({ endpoint: LlmEndpoint.parse({ baseUrl: server.baseUrl, model: 'm', maxRetries: 0 }), apiKey: 'k', cache: new MemoryLlmCache() });
});
afterAll(() => server.close());

function script(...replies: Parameters<typeof inOrder>[0]) {
  server.requests.length = 0;
  server.script = inOrder(replies);
}

const [editSeed, sourceSeed] = [seedPrompts().find((p) => p.task === 'edit')!, seedPrompts().find((p) => p.task === 'source')!];

describe('breedPrompt (meta-evolution)', () => {
  const a = { record: promptRecord(editSeed, [], 'seed'), score: { proposals: 8, valid: 6, bestSpeedup: 1.7 } };
  const b = { record: promptRecord({ ...editSeed, role: 'A terse tuner.' }, [a.record], 'meta-rewrite'), score: { proposals: 4, valid: 1, bestSpeedup: 1.1 } };
  const child = { role: 'A careful tuner.', guidance: 'One gene at a time.', playbook: ['Pack B.'], exemplars: { best: 2, diverse: 2, failed: 3 } };

  it('recombines two prompts from the meta template, showing each record, into a child with lineage', async () => {
    script(json(child));
    const bred = await breedPrompt(client, [a, b], { problem, device: gpu }, 1);
    expect(bred).toMatchObject({ ok: true, record: { operator: 'meta-crossover', generation: 2, parents: [a.record.id, b.record.id], genome: { task: 'edit', ...child } } });
    const sent = server.requests[0]!.body.messages[0]!.content;
    expect(sent).toContain('8 kernels, 6 valid (75%), best speedup 1.700x');
    expect(sent).toContain('A terse tuner.');
    expect(sent).toContain('Recombine');
    expect(sent).not.toMatch(/\{\{\w+\}\}/);
  });

  it('is a failure with its reason when the child breaks the prompt schema', async () => {
    script(json({ ...child, exemplars: { best: 99, diverse: 0, failed: 0 } }));
    expect(await breedPrompt(client, [a], { problem, device: gpu }, 2)).toMatchObject({ ok: false, failure: 'schema', reason: expect.stringContaining('exemplars.best') });
  });
});

describe('proposeSource on WebGPU', () => {
  const space = spaceOf(problem, gpuFacts);
  const ctx = { problem, backend: 'webgpu' as const, device: gpu, genomeSchema: space.schema, spaceName: space.name, client: undefined as unknown as LlmClient, space, archive: new LlmArchive() };
  const prompt = promptRecord({ ...sourceSeed }, [], 'seed');
  const wgsl = '@group(0) @binding(2) var<storage, read_write> C: array<f32>;\n@compute @workgroup_size(8, 8) fn main() {}';

  it('asks for WGSL with the WebGPU ABI and makes a wgsl SourceGenome with its tile and prompt id', async () => {
    script(json({ source: wgsl, tile: { rows: 8, cols: 8 } }));
    const attempt = await proposeSource({ ...ctx, client }, prompt, 3);
    expect(attempt).toMatchObject({ ok: true, operator: 'llm-source', genome: { backend: 'webgpu', language: 'wgsl', text: wgsl, tile: { rows: 8, cols: 8 }, promptId: prompt.id } });
    expect(server.requests[0]!.body.messages[1]!.content).toContain('@group(0) @binding(0) var<storage, read> A');
  });

  it('rejects a WGSL source without its workgroup tile', async () => {
    script(json({ source: wgsl }));
    expect(await proposeSource({ ...ctx, client }, prompt, 4)).toMatchObject({ ok: false, failure: 'rejected', reason: expect.stringContaining('tile') });
  });
});
