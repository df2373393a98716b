// The processes a bench measures run as production runs them: compiled JavaScript, as the Docker image's
// `node dist/main.js`. Under the tsx loader the same bot holds about 100 MB more (tsx keeps each module's
// transformed source and its source map): 289 MB idle against 183 MB compiled, measured on 2026-12-01 with
// `npm start` and `node dist/main.js` on PostgreSQL. BENCH_TSX=1 runs them under tsx instead, as before.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** src/ and bench/ compiled side by side (tsconfig.bench.json), so `../../cards` and the like resolve as in dist/. */
const outDir = join(root, 'dist-bench');
/** What the compiled code reads beside it, by the same relative paths as from src/ (see scripts/copy-assets.mjs). */
const LINKS = [
  'cards',
  'migrations',
  'bitable-templates',
  'package.json',
  'src/sandbox/public',
  'src/dashboard/public',
];

let built = false;

export const underTsx = (): boolean => process.env.BENCH_TSX === '1';

/** Compiles src/ and bench/ once per bench run (incremental after the first) and links the assets. */
export function buildOnce(print: (line: string) => void = () => {}): void {
  if (built || underTsx()) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  print('bench: compiling src/ and bench/ to dist-bench/ (set BENCH_TSX=1 to run under tsx instead)…');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bench.json')], { stdio: 'inherit' });
  for (const link of LINKS) {
    const at = join(outDir, link);
    if (existsSync(at)) continue;
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(join(root, link), at);
  }
  built = true;
}

/**
 * How to start a TypeScript file of this repository (`bench/server/bot-server.ts`, `src/cli.ts`…) as its own
 * process: the compiled file and no loader, or the source under tsx when BENCH_TSX=1.
 */
export function entryOf(repoPath: string): { file: string; execArgv: string[] } {
  if (underTsx()) return { file: join(root, repoPath), execArgv: ['--import', 'tsx'] };
  buildOnce();
  return { file: join(outDir, repoPath.replace(/\.ts$/, '.js')), execArgv: [] };
}
