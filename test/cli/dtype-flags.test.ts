import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { itRefuses } from '../helpers/bad-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-dtype-'));
const db = join(dir, 'kevo.db');

function spec(problem: Record<string, unknown>): string {
  const path = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ problems: [{ op: 'matmul', shape: '4x4x4', ...problem }], db }));
  return path;
}

describe('kevo run --dtype / --group / --exponent-block / --output / --weights and spec dtype / group / exponentBlock / weights on bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown dtype', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'f64'], /^kevo: --dtype: .*"f32".*"u8i8"/],
    ['a group for a dtype without groups', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'i8', '--group', '32'], /^kevo: --group: only w4 and w4a8 take a group, not i8\n$/],
    ['a group for the default f32', ['run', 'matmul', '--shape', '4x4x4', '--group', '64'], /^kevo: --group: only w4 and w4a8 take a group, not f32\n$/],
    ['a group size kevo has no kernels for', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'w4', '--group', '48'], /^kevo: --group: expected 32, 64 or 128\n$/],
    ['a non-numeric group', ['run', 'matmul', '--shape', '4x4x4', '--group', 'big'], /^kevo: --group: expected an integer\n$/],
    ['an epilogue on an integer matmul', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'i8', '--epilogue', 'bias'], /^kevo: --epilogue: an epilogue needs dtype f32, not i8\n$/],
    ['an exponent block for a dtype without exponents', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'i8', '--exponent-block', '32'], /^kevo: --exponent-block: only i16 takes an exponent block, not i8\n$/],
    ['an exponent block kevo has no kernels for', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'i16', '--exponent-block', '48'], /^kevo: --exponent-block: expected 32, 64 or 128\n$/],
    ['an i16 output for a dtype other than i16', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'i8', '--output', 'i16'], /^kevo: --output: only i16 chooses its output dtype, not i8\n$/],
    ['an output dtype i16 cannot requantize to', ['run', 'matmul', '--shape', '4x4x4', '--dtype', 'i16', '--output', 'i8'], /^kevo: --output: expected i32 or i16\n$/],
    ['weights neither fixed nor varying', ['run', 'matmul', '--shape', '4x4x4', '--weights', 'sometimes'], /^kevo: --weights: expected fixed or varying\n$/],
    ['weights for an op without the field', ['run', 'dwconv2d', '--shape', 'n1h8w8c4r3s3', '--weights', 'fixed'], /^kevo: --weights: dwconv2d problems have no weights\n$/],
    ['a spec weights value', ['campaign', 'start', spec({ weights: 'constant' })], /invalid spec ".*": problems\.0\.weights: expected fixed or varying/],
    ['a spec exponent block for f32', ['campaign', 'start', spec({ exponentBlock: 32 })], /invalid spec ".*": problems\.0\.exponentBlock: only i16 takes an exponent block, not f32/],
    ['a spec group for f32', ['campaign', 'start', spec({ group: 64 })], /invalid spec ".*": problems\.0\.group: only w4 and w4a8 take a group, not f32/],
    ['a spec dtype that is no scheme', ['campaign', 'start', spec({ dtype: 'int8' })], /invalid spec ".*": problems\.0\.dtype: Invalid option: expected one of "f32"/],
  ];

  // In process: test/cli/bad-input.test.ts spawns the bin for a run flag and a spec file.
  itRefuses(cases, dir, db);
});
