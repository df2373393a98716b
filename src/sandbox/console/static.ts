import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json; charset=utf-8',
};

// Beside this file when run from source (tsx); from a compiled dist/ the files stay in src/.
function publicDir(): string {
  const here = fileURLToPath(new URL('../public/', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../../../src/sandbox/public/', import.meta.url));
}

/** The console page: plain files, no build step. */
export function staticRoutes(app: FastifyInstance): void {
  const dir = publicDir();
  const send = async (file: string) => ({ body: await readFile(join(dir, file)), type: TYPES[extname(file)] ?? 'application/octet-stream' });
  app.get('/sandbox', async (_request, reply) => {
    const { body, type } = await send('index.html');
    return reply.type(type).header('cache-control', 'no-cache').send(body);
  });
  app.get('/', async (_request, reply) => reply.redirect('/sandbox'));
  app.get('/sandbox/assets/*', async (request, reply) => {
    const rel = normalize((request.params as { '*': string })['*']).replace(/^(\.\.[/\\])+/, '');
    if (rel.includes('..')) return reply.status(404).send();
    try {
      const { body, type } = await send(rel);
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    } catch {
      return reply.status(404).send({ code: 404, msg: 'not found' });
    }
  });
}
