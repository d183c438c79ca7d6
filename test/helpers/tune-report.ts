import { expect } from 'vitest';

/** One generation of two candidates, timed briefly: enough to exercise every step, not to tune. */
export const quick = ['--budget', '2', '--population', '2', '--threads', '1', '--rounds', '3', '--profile-runs', '2', '--timing-ms', '20', '--json'];

export interface Report {
  id: string;
  transport: string;
  nodes: { nodes: string[]; ops: string; share: number; problem?: string; lowering?: string; notTuned?: string; afterMs?: number; kernelId?: string }[];
  projected: number;
  measured: { outputsMatch: boolean; speedup: number; ortMs: number; kevoMs: number; outputs: { output: string; maxError: number; tolerance: number }[] };
}

/** What every `kevo tune` run on the test MLP must report, embedded or over NATS. */
export function checkMlpReport(report: Report): void {
  // w4 takes no epilogue: the Relu after the 4-bit layer runs on its own.
  expect(report.nodes.map((n) => n.ops)).toEqual(['MatMul+Add+Relu', 'MatMulNBits', 'Relu', 'Gemm+Relu']);
  expect(report.nodes.reduce((sum, n) => sum + n.share, 0)).toBeCloseTo(1, 6);
  // The 4-bit layer runs on a w4 kernel fed its packed weights, not on f32 weights dequantized at load.
  expect(report.nodes[1]).toMatchObject({ problem: 'matmul:8x256x256:w4:g32', lowering: expect.stringMatching(/packed 4-bit weights fed as stored/) });
  expect(report.nodes[2]!.notTuned).toMatch(/Relu is not an op kevo tunes/);
  // A budget of one generation goes to the mapped node with the largest share; the others say why they were not searched.
  const mapped = report.nodes.filter((n) => n.problem);
  const searched = report.nodes.filter((n) => n.kernelId);
  expect(searched).toHaveLength(1);
  expect(searched[0]!.share).toBe(Math.max(...mapped.map((n) => n.share)));
  expect(searched[0]!.afterMs).toBeGreaterThan(0);
  expect(mapped.filter((n) => !n.kernelId).every((n) => /not searched/.test(n.notTuned ?? ''))).toBe(true);
  expect(report.projected).toBeGreaterThan(0);
  expect(report.measured.outputsMatch).toBe(true);
  expect(report.measured.outputs[0]!.maxError).toBeLessThanOrEqual(report.measured.outputs[0]!.tolerance);
  expect(report.measured.speedup).toBeCloseTo(report.measured.ortMs / report.measured.kevoMs, 6);
}

