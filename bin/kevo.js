#!/usr/bin/env node
// The compiled CLI in dist/ (`npm run build`, run by `npm install` in a checkout through `prepare`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
