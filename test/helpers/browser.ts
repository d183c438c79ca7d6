import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';

/** Debian's headless Chromium (/usr/bin/chromium; .ci/run installs it), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** How many distinct colours a PNG holds: a blank or single-colour image has one or two, a drawn plot many. */
export function distinctColours(png: Buffer): number {
  const { data } = PNG.sync.read(png);
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) colours.add(data.readUInt32BE(i));
  return colours.size;
}
