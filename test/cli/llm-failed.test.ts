import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kevo } from '../helpers/cli.ts';
import { failure, startLlmServer, type LlmServer } from '../../testkit/llm-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-llm-failed-'));
let server: LlmServer;

beforeAll(async () => {
  server = await startLlmServer(() => failure(500));
});
afterAll(() => server.close());

describe('kevo run when every LLM call fails', () => {
  const args = (db: string) => [
    'run', 'matmul', '--shape', '8x8x8', '--budget', '4', '--population', '2', '--threads', '1', '--timing-ms', '10',
    '--llm-base-url', server.baseUrl, '--llm-model', 'broken', '--llm-share', '1', '--promote', '0', '--db', join(dir, db),
  ];

  it('says so in the summary and names the endpoint', async () => {
    const run = await kevo(args('table.db'), { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`llm: all \\d+ calls to ${server.baseUrl.replace(/[.]/g, '\\.')} \\(model broken\\) failed \\(\\w+ \\d+\\); the search went on without the LLM`));
  });

  it('and in --json', async () => {
    const run = await kevo([...args('json.db'), '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.llm).toMatchObject({ endpoint: server.baseUrl, model: 'broken', allFailed: true });
    expect(out.llm.calls).toBeGreaterThan(0);
    expect(out.llm.failures).toBe(out.llm.calls);
  });
});
