/**
 * The web app's built bundle (`dist/web/`, made by `vite build`), served at `/` beside the API:
 * static files with their content types, `index.html` for every other page address the app routes
 * itself (`/migrations/…`), and a content security policy that lets the pages load nothing but this
 * service's own files — no CDN, no inline script. `/api`, `/ir/v1` and `/healthz` are never answered
 * from here.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';

import { errorBody } from './api-error.js';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Every page may load only what this service serves; it may not be framed. */
export const webContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const reserved = /^\/(?:api|ir)(?:\/|$)|^\/healthz$/;

/** Registers the bundle's routes last, after the API's: `webRoot` null serves a page saying so. */
export function registerWebBundle(app: OpenAPIHono, webRoot: string | null): void {
  const root = webRoot === null ? null : resolve(webRoot);
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    if (reserved.test(c.req.path)) return next();
    if (root === null || !(await isFile(join(root, 'index.html')))) {
      return c.json(
        errorBody(
          'WebAppNotBuilt',
          'The web app is not built into this installation (dist/web/index.html is missing): run "npm run build". The API is at /api.',
        ),
        404,
      );
    }
    const file = fileFor(root, c.req.path);
    if (file && (await isFile(file))) return send(c, file);
    // A page address (a browser asks for HTML) is the app's to route; a missing file (a stale asset,
    // a typo) is a 404 rather than the app's page in place of a script.
    if (!(c.req.header('accept') ?? '').includes('text/html'))
      return c.json(errorBody('NotFound', `No such file: ${c.req.path}.`), 404);
    return send(c, join(root, 'index.html'));
  });
}

/** The file under `root` that `path` names, or null when the path leaves the folder. */
function fileFor(root: string, path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  return file === root || file.startsWith(`${root}${sep}`) ? file : null;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function send(c: Context, file: string): Promise<Response> {
  const body = await readFile(file);
  // Vite names what it builds under assets/ by content hash: those never change.
  const immutable = file.includes(`${sep}assets${sep}`);
  return new Response(c.req.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(body.length),
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'content-security-policy': webContentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  });
}
