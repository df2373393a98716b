#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step needed); `npm run build` + dist/ also works.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
