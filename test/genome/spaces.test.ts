import { describe, expect, it } from 'vitest';
import type { MatmulProblem } from '../../genome/ops/problem.ts';
import { backendLimit } from '../../genome/spaces.ts';

const matmul = (m: number, n: number, k: number): MatmulProblem => ({ op: 'matmul', shape: { m, n, k }, dtype: 'f32' });

describe('backendLimit', () => {
  it('wasm: A, B, C and the packing workspace must fit in wasm32 memory (4 GiB)', () => {
    expect(backendLimit(matmul(8192, 8192, 8192), 'wasm')).toBeUndefined();
    expect(backendLimit(matmul(65536, 65536, 65536), 'wasm')).toMatch(/needs 80 GiB of WASM memory.*wasm32 holds at most 4 GiB/);
    // 2*(A+B) + C = 5 * 16384^2 * 4 bytes = 5 GiB: over, though each tensor alone is 1 GiB.
    expect(backendLimit(matmul(16384, 16384, 16384), 'wasm')).toMatch(/needs 5 GiB/);
  });

  it('wasm: the bound sits where 20 n^2 bytes reach 4 GiB (n = 14654 for a cube)', () => {
    expect(backendLimit(matmul(14_600, 14_600, 14_600), 'wasm')).toBeUndefined();
    expect(backendLimit(matmul(14_700, 14_700, 14_700), 'wasm')).toMatch(/wasm32 holds at most 4 GiB/);
  });

  it("webgpu: every tensor must fit one storage buffer, by WebGPU's defaults unless the device says more", () => {
    expect(backendLimit(matmul(4096, 4096, 4096), 'webgpu')).toBeUndefined();
    expect(backendLimit(matmul(8192, 8192, 8192), 'webgpu')).toBe("A needs 256 MiB in one storage buffer; WebGPU's default maxStorageBufferBindingSize is 128 MiB");
    const big = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 30 };
    expect(backendLimit(matmul(8192, 8192, 8192), 'webgpu', big)).toBeUndefined();
    expect(backendLimit(matmul(32768, 16384, 8), 'webgpu', big)).toBe("C needs 2048 MiB in one storage buffer; the device's maxBufferSize is 1024 MiB");
  });
});
