import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naiveMatmulWat } from '../../testkit/naive-wat.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';
import { startLlmServer, type LlmServer } from '../../testkit/llm-server.ts';
import { scriptedModel } from '../llm/model.ts';
import { spaceOf } from '../../testkit/spaces.ts';

const problem = { op: 'matmul', shape: { m: 12, n: 8, k: 6 }, dtype: 'f32' } as const;
const looping = naiveMatmulWat(problem, { afterLoops: '(loop $forever (br $forever))' });
const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-llm-'));
const db = join(dir, 'kevo.db');
let server: LlmServer;

beforeAll(async () => {
  const space = spaceOf(problem);
  server = await startLlmServer(
    scriptedModel(space, { sources: [naiveMatmulWat(problem), looping], badEvery: 3, review: (source) => (source.includes('$forever') ? 'fail' : 'pass') }),
  );
});
afterAll(() => server.close());

describe('kevo run with an LLM (scripted OpenAI-compatible server)', () => {
  it('mixes LLM and genetic proposals, gates sources with reviews on the worker, stores prompts with lineage', async () => {
    const run = await kevo(
      ['run', 'matmul', '--shape', '12x8x6', '--budget', '16', '--population', '4', '--threads', '2', '--timing-ms', '20', '--deadline-ms', '3000', '--no-relaxed-simd',
        '--llm-base-url', server.baseUrl, '--llm-model', 'scripted', '--llm-share', '0.5', '--llm-review', 'gate', '--llm-max-tokens', '100000', '--promote', '0', '--db', db, '--json'],
      { cwd: dir, env: { KEVO_LLM_API_KEY: 'sk-test-secret' } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('sk-test-secret');
    const out = JSON.parse(run.stdout);
    expect(out.status).toBe('done');
    expect(out.evaluations + out.cached).toBeLessThanOrEqual(16);
    expect(server.requests.length).toBeGreaterThan(0);
    const kinds = new Set(server.requests.map((r) => r.body.response_format?.json_schema?.name));
    expect(kinds.has('genome_edit') || kinds.has('kernel_source')).toBe(true);

    // The queries through the CLI's main() in process; the run spawned the bin.
    const show = await kevoInProcess(['campaign', 'show', out.campaignId, '--db', db, '--json']);
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout);
    expect(shown.llm.usage.calls).toBeGreaterThan(0);
    expect(shown.llm.usage.promptTokens).toBeGreaterThan(0);
    expect(kinds.has('review')).toBe(true);
    expect(shown.llm.agreement.reviewed).toBeGreaterThan(0);

    const prompts = await kevoInProcess(['prompts', 'list', '--db', db, '--json']);
    expect(prompts.code, prompts.stderr).toBe(0);
    const list = JSON.parse(prompts.stdout) as { id: string; proposals: number }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.some((p) => p.proposals > 0)).toBe(true);
    const detail = await kevoInProcess(['prompts', 'show', list[0]!.id.slice(0, 8), '--db', db, '--json']);
    expect(detail.code, detail.stderr).toBe(0);
    expect(JSON.parse(detail.stdout).id).toBe(list[0]!.id);
    // The looping source was failed by the reviewer before timing: it never became a timeout evaluation.
    expect(shown.byStatus.timeout ?? 0).toBe(0);
  });

  it('rejects half-given LLM flags as bad input', async () => {
    const run = await kevo(['run', 'matmul', '--shape', '4x4x4', '--llm-model', 'x', '--db', db], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--llm-base-url and --llm-model go together/);
  });
});
