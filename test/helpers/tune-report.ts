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
  expect(report.nodes.map((n) => n.ops)).toEqual(['MatMul+Add+Relu', 'MatMulNBits+Relu', 'Gemm+Relu']);
  expect(report.nodes.reduce((sum, n) => sum + n.share, 0)).toBeCloseTo(1, 6);
  expect(report.nodes[1]!.lowering).toMatch(/w4 .*dequantized to f32 at load/);
  // A budget of one generation goes to the node with the largest share; the others say why they were not searched.
  const searched = report.nodes.filter((n) => n.kernelId);
  expect(searched).toHaveLength(1);
  expect(searched[0]!.share).toBe(Math.max(...report.nodes.map((n) => n.share)));
  expect(searched[0]!.afterMs).toBeGreaterThan(0);
  expect(report.nodes.filter((n) => !n.kernelId).every((n) => /not searched/.test(n.notTuned ?? ''))).toBe(true);
  expect(report.projected).toBeGreaterThan(0);
  expect(report.measured.outputsMatch).toBe(true);
  expect(report.measured.outputs[0]!.maxError).toBeLessThanOrEqual(report.measured.outputs[0]!.tolerance);
  expect(report.measured.speedup).toBeCloseTo(report.measured.ortMs / report.measured.kevoMs, 6);
}

