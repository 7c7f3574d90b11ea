import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { PROJECT_ROOT } from '../../config/project-root';
import { NotFoundError } from '../errors';

/** The page's files: plain HTML, CSS and ES modules, served as they are (no build step). */
export const PAGE_DIR = path.join(PROJECT_ROOT, 'api', 'page');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Only the page's own files run or style it; the article preview (sanitised HTML) and the
 * streamed text can add no script. Generated images come from the provider's host, so any
 * http(s) image is allowed; nothing else leaves the origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: http: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface PageFile {
  body: Buffer;
  contentType: string;
}

/** Reads the page's files once, at start: the folder's own files, nothing above or below it. */
function readPageFiles(): Map<string, PageFile> {
  const files = new Map<string, PageFile>();
  for (const name of readdirSync(PAGE_DIR)) {
    const contentType = CONTENT_TYPES[path.extname(name)];
    if (contentType) files.set(name, { body: readFileSync(path.join(PAGE_DIR, name)), contentType });
  }
  if (!files.has('index.html')) throw new Error(`The progress page is missing: no index.html in ${PAGE_DIR}`);
  return files;
}

function send(reply: FastifyReply, file: PageFile) {
  return reply
    .header('content-type', file.contentType)
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(file.body);
}

/**
 * `GET /app/`: the progress page, where a person signs in with an API key, starts any AI function
 * on their rows and follows its progress. Public: the page holds no data; every call it makes
 * carries the key the person types in.
 */
export const pageRoutes: FastifyPluginAsync = async (app) => {
  const files = readPageFiles();
  const options = { config: { public: true }, schema: { hide: true } };
  app.get('/app/', options, async (_request, reply) => send(reply, files.get('index.html')!));
  app.get<{ Params: { file: string } }>('/app/:file', options, async (request, reply) => {
    const file = files.get(request.params.file);
    if (!file) throw new NotFoundError(`No page file ${request.params.file}.`);
    return send(reply, file);
  });
};
