import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend } from '../genome/genome.ts';
import { KevoError } from '../lib/errors.ts';
import { quote } from '../lib/quote.ts';
import type { Logger } from '../lib/log.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { Transport } from './transport/transport.ts';

/**
 * The device class a campaign times on: the pinned one on resume, else the one
 * the user asked for (by id prefix), else the first live worker's that can run
 * the backend. With no such worker yet it waits (workers may join later)
 * rather than failing, until the signal aborts.
 */
export async function chooseDevice(
  transport: Transport,
  opts: { backend: Backend; wanted?: string; log: Logger; signal?: AbortSignal; pollMs?: number },
): Promise<DeviceClass> {
  let announced = false;
  for (;;) {
    const classes = (await transport.workers()).flatMap((w) => w.deviceClasses).filter((d) => d.facts.backend === opts.backend);
    const matches = opts.wanted ? classes.filter((d) => d.id.startsWith(opts.wanted!)) : classes;
    const ids = [...new Set(matches.map((d) => d.id))];
    if (ids.length > 1 && opts.wanted) {
      throw new KevoError('BAD_INPUT', `device ${quote(opts.wanted)} is ambiguous: it matches ${ids.join(', ')}`);
    }
    if (matches.length > 0) return matches[0]!;
    if (transport.durable === false) {
      // A device the user named that is not here is theirs to fix; a backend this machine lacks is the machine's.
      if (opts.wanted) throw new KevoError('BAD_INPUT', `--device ${quote(opts.wanted)}: no such ${opts.backend} device class on this machine (have: ${classes.map((d) => d.id).join(', ') || 'none'})`);
      throw new KevoError('UNAVAILABLE', `no backend ${opts.backend} on this machine`);
    }
    if (!announced) {
      opts.log.info({ backend: opts.backend, device: opts.wanted }, 'waiting for a worker that can run this campaign');
      announced = true;
    }
    await sleep(opts.pollMs ?? 1000, undefined, { signal: opts.signal });
  }
}
