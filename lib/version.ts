import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from './runtime.ts';

/** kevo's version, as package.json says: workers announce it, results can be traced to it. */
export const KEVO_VERSION: string = (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;
