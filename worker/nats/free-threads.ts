/** Counts a worker's idle threads, so it never pulls more jobs than it can start at once. */
export class FreeThreads {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly total: number) {
    this.free = total;
  }

  /** Waits for at least one idle thread (or the signal) and takes every idle one; 0 once aborted. */
  async takeAll(signal: AbortSignal): Promise<number> {
    while (this.free === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    if (signal.aborted) return 0;
    const taken = this.free;
    this.free = 0;
    return taken;
  }

  release(count: number): void {
    this.free += count;
    this.waiters.splice(0).forEach((wake) => wake());
  }

  /** Resolves when no thread is busy. */
  async allIdle(): Promise<void> {
    while (this.free < this.total) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
