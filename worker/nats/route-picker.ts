/**
 * Which of a worker's routes (its device class, any job of its backend) a
 * thread pulls from next. A pull waits up to a second on an empty route, so
 * threads gather on the route that last gave a job and stay there through
 * idle gaps (between a campaign's generations); thread 0 scouts, moving to
 * the next route whenever a pull comes back empty, so work that appears on
 * another route is found within a pull or two and draws the others there.
 */
export class RoutePicker {
  private hot: number | undefined;
  private readonly turns: number[];

  constructor(
    private readonly routes: number,
    threads: number,
  ) {
    // Until a route has given a job, threads start spread over all of them.
    this.turns = Array.from({ length: threads }, (_, thread) => thread);
  }

  pick(thread: number): number {
    if (thread === 0 || this.hot === undefined) return this.turns[thread]! % this.routes;
    return this.hot;
  }

  gotJob(route: number): void {
    this.hot = route;
  }

  gotNothing(thread: number): void {
    this.turns[thread]!++;
  }
}
