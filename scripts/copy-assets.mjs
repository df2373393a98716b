// `npm run build` compiles TypeScript only; static files the compiled code serves are copied here.
import { cpSync, existsSync } from 'node:fs';

for (const [from, to] of [
  ['src/sandbox/public', 'dist/sandbox/public'],
  ['src/dashboard/public', 'dist/dashboard/public'],
]) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
