import { describe, expect, it } from 'vitest';
import { canonicalHash } from '../../lib/hash.ts';
import { DeviceClass } from '../../protocol/device.ts';
import { cpuDeviceClass } from '../../worker/device.ts';

describe('cpuDeviceClass', () => {
  it('fingerprints this machine, the same on every call', async () => {
    const first = await cpuDeviceClass();
    expect(DeviceClass.parse(first)).toEqual(first);
    expect(first.id).toBe(canonicalHash(first.facts));
    expect(first.facts).toMatchObject({ backend: 'wasm', node: process.versions.node, simd: true });
    expect(first.label).toContain(`node ${process.versions.node}`);
    expect(await cpuDeviceClass()).toEqual(first);
  });
});
