import { median } from '../../lib/stats.ts';

/** Something the bench can time: one call does `flops` floating-point operations. */
export interface Contender {
  readonly name: string;
  readonly flops: number;
  /** Run `times` calls back to back; mean milliseconds per call. */
  time(times: number): Promise<number>;
}

/** Calls per sample so one sample lasts about `sampleMs`: long enough for the clock, short enough to interleave. */
async function callsPerSample(contender: Contender, sampleMs: number): Promise<number> {
  const once = await contender.time(1);
  return Math.max(1, Math.round(sampleMs / Math.max(once, 1e-3)));
}

/**
 * CPU milliseconds per call, not wall time: on a machine shared with other
 * busy processes, the time this thread spends preempted would otherwise count
 * against whichever contender happened to be running. Everything timed runs
 * on this one thread, and V8's background compiles are over after warm-up.
 * (Contention for caches and memory bandwidth still shows.)
 */
async function cpuMsPerCall(contender: Contender, times: number): Promise<number> {
  const before = process.cpuUsage();
  await contender.time(times);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / times;
}

/** GFLOP/s of one contender, one sample per round. */
export type Samples = Map<string, number[]>;

/**
 * Time each contender by CPU time: warm up (V8 tiers a function up between calls, so the
 * first calls are 2-4x slower), then take `rounds` samples of each in turn,
 * interleaved so machine noise hits every contender alike. GFLOP/s per round.
 */
export async function measure(contenders: readonly Contender[], opts: { rounds: number; sampleMs: number }): Promise<Samples> {
  const calls = new Map<Contender, number>();
  for (const c of contenders) {
    await c.time(3);
    calls.set(c, await callsPerSample(c, opts.sampleMs));
  }
  const samples: Samples = new Map(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const c of contenders) samples.get(c.name)!.push(c.flops / (await cpuMsPerCall(c, calls.get(c)!)) / 1e6);
  }
  return samples;
}

export const medianGflops = (samples: Samples, name: string) => median(samples.get(name)!);

/**
 * a / b as the median of per-round ratios: two contenders timed in the same
 * round saw the same load, so pairing cancels most of the shared machine's drift.
 */
export function pairedRatio(samples: Samples, a: string, b: string): number {
  const as = samples.get(a)!;
  const bs = samples.get(b)!;
  return median(as.map((v, i) => v / bs[i]!));
}
