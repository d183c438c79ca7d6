import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itRefuses } from '../helpers/bad-input.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-bad-'));
const db = join(dir, 'kevo.db');

/** What `kevo ...args` prints, run in process; it must exit 0. */
async function helpFor(args: readonly string[]): Promise<string> {
  const run = await kevoInProcess(args);
  expect(run.code, args.join(' ')).toBe(0);
  return run.stdout;
}

describe('kevo CLI on bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['zero shape', ['run', 'matmul', '--shape', '0x4x4'], /shape "0x4x4": expected MxNxK with positive integers/],
    ['negative shape', ['run', 'matmul', '--shape', '-4x4x4'], /shape "-4x4x4"/],
    ['non-numeric shape', ['run', 'matmul', '--shape', 'bigxbigxbig'], /shape "bigxbigxbig"/],
    ['unknown op', ['run', 'conv9d', '--shape', '4x4x4'], /unknown op "conv9d": expected one of matmul/],
    ['unknown backend', ['run', 'matmul', '--shape', '4x4x4', '--backend', 'cuda'], /backend/],
    ['unknown strategy', ['run', 'matmul', '--shape', '4x4x4', '--strategy', 'annealing'], /strategy/],
    ['negative budget', ['run', 'matmul', '--shape', '4x4x4', '--budget', '-5'], /--budget: must be at least 1/],
    ['non-numeric budget', ['run', 'matmul', '--shape', '4x4x4', '--budget', 'lots'], /--budget: expected an integer/],
    ['a budget past any integer', ['run', 'matmul', '--shape', '4x4x4', '--budget', '99999999999999999999'], /^kevo: --budget: must be at most 1000000\n$/],
    ['a budget past the spec maximum', ['run', 'matmul', '--shape', '4x4x4', '--budget', '2000000'], /^kevo: --budget: must be at most 1000000\n$/],
    ['seconds past the spec maximum (a flag, not a spec path)', ['run', 'matmul', '--shape', '4x4x4', '--seconds', '99999999'], /^kevo: --seconds: must be at most 2592000 \(30 days\)\n$/],
    ['a shape past wasm32 memory', ['run', 'matmul', '--shape', '65536x65536x65536'], /shape "65536x65536x65536" is too big for wasm: needs 80 GiB .*wasm32 holds at most 4 GiB/],
    ['a shape past WebGPU buffers', ['run', 'matmul', '--shape', '8192x8192x8192', '--backend', 'webgpu'], /shape "8192x8192x8192" is too big for webgpu: A needs 256 MiB .*maxStorageBufferBindingSize is 128 MiB/],
    ['unreadable spec', ['campaign', 'start', join(dir, 'nope.json')], /cannot read spec .*nope\.json/],
    ['missing --shape', ['run', 'matmul'], /required option '--shape/],
    ['unknown flag', ['run', 'matmul', '--shape', '4x4x4', '--colour', 'red'], /unknown option '--colour'/],
    ['a promotion past its maximum', ['run', 'matmul', '--shape', '4x4x4', '--promote', '17'], /^kevo: --promote: must be at most 16\n$/],
    ['one promotion round (no interval)', ['run', 'matmul', '--shape', '4x4x4', '--promote-rounds', '1'], /^kevo: --promote-rounds: must be at least 2\n$/],
    ['portability rounds of zero', ['portability', '--problem', 'matmul', '--shape', '4x4x4', '--rounds', '0'], /^kevo: --rounds: must be at least 1\n$/],
    ['unknown device', ['run', 'matmul', '--shape', '4x4x4', '--budget', '1', '--device', 'zzz'], /--device "zzz": no such wasm device class on this machine \(have: \w+\)/],
    ['not a NATS URL', ['run', 'matmul', '--shape', '4x4x4', '--nats', 'not a url'], /--nats \(or NATS_URL\): expected nats:\/\/host:port/],
    ['a file: LLM URL', ['run', 'matmul', '--shape', '4x4x4', '--llm-base-url', 'file:///etc/passwd', '--llm-model', 'm'], /--llm-base-url: expected an http\(s\) URL/],
    ['an ftp: LLM URL', ['run', 'matmul', '--shape', '4x4x4', '--llm-base-url', 'ftp://a/v1', '--llm-model', 'm'], /--llm-base-url: expected an http\(s\) URL/],
    ['a javascript: LLM URL', ['run', 'matmul', '--shape', '4x4x4', '--llm-base-url', 'javascript:alert(1)', '--llm-model', 'm'], /--llm-base-url: expected an http\(s\) URL/],
    ['a cost budget without a price', ['run', 'matmul', '--shape', '4x4x4', '--llm-base-url', 'http://127.0.0.1:1/v1', '--llm-model', 'm', '--llm-max-cost', '3'], /^kevo: --llm-max-cost: a cost budget needs a price per 1k tokens .*--llm-cost-per-1k-prompt/],
    ['malformed device', ['run', 'matmul', '--shape', '4x4x4', '--budget', '1', '--device', 'a b'], /--device: expected a device class id/],
    ['unknown epilogue stage', ['run', 'matmul', '--shape', '4x4x4', '--epilogue', 'bias,tanh'], /--epilogue: unknown epilogue stage "tanh"/],
    ['epilogue out of order', ['run', 'matmul', '--shape', '4x4x4', '--epilogue', 'residual,bias'], /--epilogue: epilogue stage "bias" after "residual"/],
    ['two activations', ['run', 'matmul', '--shape', '4x4x4', '--epilogue', 'relu,gelu'], /--epilogue: epilogue stage "gelu" after "relu"/],
    ['unknown command', ['bets', 'matmul'], /unknown command 'bets'\n\(Did you mean best\?\)/],
  ];

  // The bin itself for one case of each way in: a run flag, a spec file, commander's own error.
  itRefuses(cases, dir, db, ['zero shape', 'unreadable spec', 'unknown command']);

  it('a NATS URL with a password: the password is never printed', async () => {
    const run = await kevo(['workers', '--nats', 'nats://kevo:s3cret-pw@127.0.0.1:1'], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/cannot connect to NATS at nats:\/\/kevo:\*\*\*@127\.0\.0\.1:1/);
    expect(run.stderr).not.toContain('s3cret-pw');
  });

  it('an unwritable db path: exit 2 naming the path, nothing created', async () => {
    const bad = join(dir, 'no-such-dir', 'kevo.db');
    const run = await kevo(['run', 'matmul', '--shape', '4x4x4', '--budget', '1', '--db', bad], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot open database ".*no-such-dir\/kevo\.db"/);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });

  it('queries against a missing database: exit 2, and no database appears (the bin for best, main() in process for the rest)', async () => {
    for (const args of [['best', 'matmul', '--shape', '4x4x4'], ['export', 'abc', '--out', join(dir, 'out')], ['campaign', 'list'], ['campaign', 'resume', 'c-1'], ['serve', '--port', '0'], ['suite', 'resume', 's-1'], ['suite', 'report', 's-1'], ['suite', 'compare', 's-1', 's-2'], ['suite', 'list']]) {
      const run = args[0] === 'best' ? await kevo([...args, '--db', db], { cwd: dir }) : await kevoInProcess([...args, '--db', db]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/no database at/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--help works on every command with exit 0 (in process: the bin is spawned above)', async () => {
    for (const args of [[], ['run'], ['campaign'], ['campaign', 'start'], ['campaign', 'resume'], ['campaign', 'list'], ['campaign', 'show'], ['best'], ['export'], ['worker'], ['workers'], ['prompts'], ['prompts', 'show'], ['replay'], ['portability'], ['serve'], ['suite'], ['suite', 'run'], ['suite', 'resume'], ['suite', 'report'], ['suite', 'compare'], ['suite', 'list'], ['tune']]) {
      expect(await helpFor([...args, '--help']), args.join(' ')).toMatch(/Usage: kevo/);
    }
  });

  it('a command is loaded in full when named, by `help` too: its options show, not just its line in the list', async () => {
    for (const args of [['best', '--help'], ['help', 'best']]) {
      expect(await helpFor(args), args.join(' ')).toMatch(/Usage: kevo best \[options\] <op>[^]*--shape <MxNxK>/);
    }
    expect(await helpFor(['--help'])).toMatch(/\n {2}best +the best verified kernels/);
  });
});
