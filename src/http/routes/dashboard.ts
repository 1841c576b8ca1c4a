/** The dashboard: a static page that reads the same public API as any client. No token is needed to load it. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const ASSETS: Readonly<Record<string, { file: URL | string; type: string }>> = {
  '/dashboard': {
    file: new URL('../../dashboard/index.html', import.meta.url),
    type: 'text/html; charset=utf-8',
  },
  '/dashboard/dashboard.js': {
    file: new URL('../../dashboard/dashboard.js', import.meta.url),
    type: 'text/javascript; charset=utf-8',
  },
  '/dashboard/dashboard.css': {
    file: new URL('../../dashboard/dashboard.css', import.meta.url),
    type: 'text/css; charset=utf-8',
  },
  '/dashboard/chart.js': {
    // The UMD build is not in chart.js's export map; it sits beside the CommonJS entry.
    file: join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

export function registerDashboardRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  for (const [url, asset] of Object.entries(ASSETS)) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => {
      let body = cache.get(url);
      if (body === undefined) {
        body = await readFile(asset.file);
        cache.set(url, body);
      }
      return reply
        .type(asset.type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'")
        .send(body);
    });
  }
}
