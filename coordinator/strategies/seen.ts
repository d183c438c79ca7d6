import type { SearchSpace } from '../../genome/space.ts';
import { genomeHash } from '../../genome/hash.ts';
import type { Rng } from '../../lib/rng.ts';
import type { Proposal } from './strategy.ts';

/** genomeHash for any genome type: the canonical hash the store keys on. */
export function hashOf(genome: unknown): string {
  // Strategies are generic over their genome type, and every genome is a plain JSON object.
  return genomeHash(genome as object);
}

/** Draws per proposal before a strategy concludes a space has nothing new left to give. */
const ATTEMPTS = 64;

/**
 * The genomes a campaign has already seen (proposed, or told by someone
 * else), and the one way strategies draw new ones: admissible (passes check,
 * repaired if need be) and never seen before. The coordinator answers repeats
 * from its cache, but a repeat would still waste an ask.
 */
export class SeenGenomes<G> {
  private readonly hashes: Set<string>;
  private enumerated: { genome: G; hash: string }[] | undefined;

  constructor(
    private readonly space: SearchSpace<G>,
    hashes: Iterable<string> = [],
  ) {
    this.hashes = new Set(hashes);
  }

  has(hash: string): boolean {
    return this.hashes.has(hash);
  }

  /** Records a hash; false when it was already seen. */
  mark(hash: string): boolean {
    if (this.hashes.has(hash)) return false;
    this.hashes.add(hash);
    return true;
  }

  /** The first admissible, unseen proposal of up to ATTEMPTS made, now marked seen; null when none was. */
  draw(make: () => Proposal<G>): Proposal<G> | null {
    for (let i = 0; i < ATTEMPTS; i++) {
      const proposal = make();
      const genome = this.admit(proposal.genome);
      if (genome === null || !this.mark(hashOf(genome))) continue;
      return genome === proposal.genome ? proposal : { ...proposal, genome };
    }
    return null;
  }

  /**
   * A random unseen genome. When sampling keeps hitting seen ones and the space
   * can be enumerated, pick among what is left, so a small space is swept to
   * the end; null only when nothing unseen remains (or, on a space too big to
   * enumerate, none turned up in ATTEMPTS draws).
   */
  sample(rng: Rng): Proposal<G> | null {
    const seed = this.nextSeed();
    if (seed) return seed;
    const drawn = this.draw(() => ({ genome: this.space.sample(rng), parents: [], operator: 'sample' }));
    if (drawn !== null || !this.space.enumerate) return drawn;
    const left = this.enumerate().filter((e) => !this.hashes.has(e.hash));
    if (left.length === 0) return null;
    const { genome, hash } = rng.pick(left);
    this.hashes.add(hash);
    return { genome, parents: [], operator: 'sample' };
  }

  /** The space's first unseen seed: every strategy starts from the known-good points before sampling. */
  private nextSeed(): Proposal<G> | null {
    for (const genome of this.space.seeds?.() ?? []) {
      const admitted = this.admit(genome);
      if (admitted !== null && this.mark(hashOf(admitted))) return { genome: admitted, parents: [], operator: 'seed' };
    }
    return null;
  }

  toJSON(): string[] {
    return [...this.hashes];
  }

  private admit(genome: G): G | null {
    if (this.space.check(genome) === null) return genome;
    const repaired = this.space.repair(genome);
    return repaired !== null && this.space.check(repaired) === null ? repaired : null;
  }

  /** Derived from the space alone, so it is cached rather than checkpointed. */
  private enumerate(): { genome: G; hash: string }[] {
    this.enumerated ??= [...this.space.enumerate!()]
      .filter((genome) => this.space.check(genome) === null)
      .map((genome) => ({ genome, hash: hashOf(genome) }));
    return this.enumerated;
  }
}
