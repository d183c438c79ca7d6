import type { Progress } from '../coordinator/campaign.ts';

/**
 * One self-rewriting line on stderr while a campaign runs, only on a terminal:
 * piped output and --json stay clean.
 */
export function progressBar(stream: Pick<NodeJS.WriteStream, 'isTTY' | 'columns' | 'write'> = process.stderr): { update(p: Progress): void; end(): void } {
  if (!stream.isTTY) return { update() {}, end() {} };
  let last = '';
  return {
    update(p) {
      const width = 24;
      const share = p.budget ? Math.min(1, p.asked / p.budget) : 0;
      const filled = Math.round(share * width);
      const bar = p.budget ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.asked}/${p.budget}` : `${p.asked} asked`;
      const best = p.bestSpeedup === undefined ? 'best -' : `best ${p.bestSpeedup.toFixed(2)}x (${p.bestGflops!.toFixed(1)} GFLOP/s)`;
      const llm = p.llm ? `  llm ${p.llm.calls} calls ${p.llm.promptTokens + p.llm.completionTokens} tok $${p.llm.cost.toFixed(3)}` : '';
      last = `${p.problem} ${bar}  evaluated ${p.evaluated}  cached ${p.cached}  failed ${p.failures}  ${best}  workers ${p.workers}${llm}`;
      stream.write(`\r\x1b[2K${last.slice(0, (stream.columns ?? 160) - 1)}`);
    },
    end() {
      if (last) stream.write('\n');
    },
  };
}
