import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itRefuses } from '../helpers/bad-input.ts';
import { kevoInProcess } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-conv-bad-'));
const db = join(dir, 'kevo.db');
const spec = (problem: Record<string, unknown>) => {
  const path = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ problems: [problem], budget: { evaluations: 1 } }));
  return path;
};
const shape = { n: 1, h: 8, w: 8, c: 4, k: 4, r: 3, s: 3 };

describe('kevo CLI on bad convolution input', () => {
  const cases: [string, string[], RegExp][] = [
    ['stride 3', ['run', 'conv2d', '--shape', 'n1h8w8c4k4r3s3', '--stride', '3'], /^kevo: --stride: expected 1 or 2\n$/],
    ['an unknown padding', ['run', 'conv2d', '--shape', 'n1h8w8c4k4r3s3', '--pad', 'full'], /^kevo: --pad: expected same or valid\n$/],
    ['a stride for matmul', ['run', 'matmul', '--shape', '4x4x4', '--stride', '2'], /^kevo: --stride: matmul problems have no stride\n$/],
    ['a padding for matmul', ['run', 'matmul', '--shape', '4x4x4', '--pad', 'same'], /^kevo: --pad: matmul problems have no pad\n$/],
    ['an epilogue for a backward pass', ['run', 'conv2d-bwd-data', '--shape', 'n1h8w8c4k4r3s3', '--epilogue', 'bias'], /^kevo: --epilogue: conv2d-bwd-data problems have no epilogue\n$/],
    ['a dtype convolutions have no kernels for', ['run', 'conv2d', '--shape', 'n1h8w8c4k4r3s3', '--dtype', 'i8'], /^kevo: --dtype: expected f32, f16 or i16\n$/],
    ['an epilogue on an i16 conv', ['run', 'conv2d', '--shape', 'n1h8w8c4k4r3s3', '--dtype', 'i16', '--epilogue', 'bias'], /^kevo: --epilogue: an epilogue needs dtype f32, not i16\n$/],
    ['an epilogue on an f16 convolution', ['run', 'conv2d', '--shape', 'n1h8w8c4k4r3s3', '--dtype', 'f16', '--epilogue', 'bias'], /^kevo: --epilogue: an epilogue needs dtype f32, not f16\n$/],
    ['a spec with an f16 epilogue', ['campaign', 'start', spec({ op: 'conv2d', shape: 'n1h8w8c4k4r3s3', dtype: 'f16', epilogue: ['relu'] })], /problems\.0\.epilogue: an epilogue needs dtype f32, not f16/],
    ['a conv shape without k', ['run', 'conv2d', '--shape', 'n1h8w8c4r3s3'], /^kevo: shape "n1h8w8c4r3s3": expected n, h, w, c, k, r, s each followed by its size/],
    ['a depthwise shape with k', ['run', 'dwconv2d', '--shape', 'n1h8w8c4k4r3s3'], /shape "n1h8w8c4k4r3s3": expected n, h, w, c, r, s/],
    ['a zero channel count', ['run', 'conv2d', '--shape', 'n1h8w8c0k4r3s3'], /shape "n1h8w8c0k4r3s3": c expected a positive integer/],
    ['a window past the image with valid padding', ['run', 'conv2d', '--shape', 'n1h2w8c4k4r3s3', '--pad', 'valid'], /^kevo: --shape: with pad valid h must be at least r \(3\)\n$/],
    ['a conv shape past wasm32 memory', ['run', 'conv2d', '--shape', 'n65536h65536w65536c1k1r1s1'], /is too big for wasm/],
    ['best with stride 3', ['best', 'conv2d', '--shape', 'n1h8w8c4k4r3s3', '--stride', '3'], /^kevo: --stride: expected 1 or 2\n$/],
    ['best with a stride for matmul', ['best', 'matmul', '--shape', '4x4x4', '--stride', '1'], /^kevo: --stride: matmul problems have no stride\n$/],
    ['a spec with stride 3', ['campaign', 'start', spec({ op: 'conv2d', shape: 'n1h8w8c4k4r3s3', stride: 3 })], /problems\.0\.stride: expected 1 or 2/],
    ['a spec with a stride for matmul', ['campaign', 'start', spec({ op: 'matmul', shape: '4x4x4', stride: 1 })], /problems\.0\.stride: matmul problems have no stride/],
    ['a spec with an unknown padding', ['campaign', 'start', spec({ op: 'dwconv2d', shape: 'n1h8w8c4r3s3', pad: 'full' })], /problems\.0\.pad: expected same or valid/],
  ];

  // The bin itself for a conv flag and a conv spec; main() in process for the rest.
  itRefuses(cases, dir, db, ['stride 3', 'a spec with stride 3']);

  it('a spec shape object is refused: the shape is the op text form', async () => {
    const run = await kevoInProcess(['campaign', 'start', spec({ op: 'conv2d', shape, stride: 1 }), '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/problems\.0\.shape/);
  });
});
