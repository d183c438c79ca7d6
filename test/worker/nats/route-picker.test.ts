import { describe, expect, it } from 'vitest';
import { RoutePicker } from '../../../worker/nats/route-picker.ts';

describe('RoutePicker', () => {
  it('spreads threads over the routes until one gives a job, then gathers them there, idle or not', () => {
    const picker = new RoutePicker(2, 4);
    expect([0, 1, 2, 3].map((t) => picker.pick(t))).toEqual([0, 1, 0, 1]);
    picker.gotJob(1);
    expect([1, 2, 3].map((t) => picker.pick(t))).toEqual([1, 1, 1]);
    picker.gotNothing(2);
    expect(picker.pick(2)).toBe(1);
  });

  it('lets thread 0 scout the other routes, and follows it when it finds work there', () => {
    const picker = new RoutePicker(2, 3);
    picker.gotJob(1);
    expect(picker.pick(0)).toBe(0);
    picker.gotNothing(0);
    expect(picker.pick(0)).toBe(1);
    picker.gotNothing(0);
    expect(picker.pick(0)).toBe(0);
    picker.gotJob(0);
    expect([0, 1, 2].map((t) => picker.pick(t))).toEqual([0, 0, 0]);
  });

  it('has one thread cycle through all routes on its own', () => {
    const picker = new RoutePicker(3, 1);
    const seen = [picker.pick(0)];
    for (let i = 0; i < 3; i++) {
      picker.gotNothing(0);
      seen.push(picker.pick(0));
    }
    expect(seen).toEqual([0, 1, 2, 0]);
  });
});
