import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

// Beside this file when run from source (tsx); from a compiled dist/ the files stay in src/.
function publicDir(): string {
  const here = fileURLToPath(new URL('../public/', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../../../src/sandbox/public/', import.meta.url));
}

/**
 * The console renders what bots and people type (cards, Bitable cells): its page runs only its own
 * scripts and talks only to this server. Style attributes are allowed (the card renderer uses them).
 */
const consoleHelmet = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  strictTransportSecurity: false,
};

/** The console page: plain files, no build step. */
export function staticRoutes(app: FastifyInstance): void {
  // Helmet inside its own plugin: the console's headers leave the Open API routes alone.
  void app.register(async (scope) => {
    await scope.register(helmet, consoleHelmet);
    pages(scope);
  });
}

function pages(app: FastifyInstance): void {
  const dir = publicDir();
  const send = async (file: string) => ({
    body: await readFile(join(dir, file)),
    type: TYPES[extname(file)] ?? 'application/octet-stream',
  });
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
