import http from 'node:http';

/**
 * A round-robin load balancer in front of the instances, as Feishu → LB → N bots would be. It asks
 * `targets()` at every request, so a caller drops an instance from the pool as a health check would;
 * a request the chosen instance never answers gets 502, which Feishu re-pushes.
 */
export function roundRobin(targets: () => string[]): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const list = targets();
      if (list.length === 0) return void res.writeHead(503).end();
      const target = list[n++ % list.length]!;
      fetch(`${target}${req.url}`, {
        method: 'POST',
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      })
        .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
        .catch(() => res.writeHead(502).end());
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}
