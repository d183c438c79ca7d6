import { createRequire } from 'node:module';

/** kevo's version, as package.json says: workers announce it, results can be traced to it. */
export const KEVO_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
