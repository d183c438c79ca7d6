// Files kevo reads at run time beside its modules (via import.meta.url) that tsc does not emit.
import { cpSync } from 'node:fs';

const ASSETS = ['llm/templates', 'serve/static', 'suites'];

for (const path of ASSETS) cpSync(path, `dist/${path}`, { recursive: true });
