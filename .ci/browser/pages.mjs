// Serves the dashboard's files from the repository on another origin, as a front-end team would host
// their copy: `node pages.mjs PORT`. GET /dashboard/ (and its files) from src/http/dashboard, and
// /graphiql/graphql-ws.min.js from src/http/graphiql; nothing else.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const port = Number(process.argv[2]);
const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/http');
const files = {
  '/dashboard/': ['dashboard/index.html', 'text/html; charset=utf-8'],
  '/dashboard/dashboard.js': ['dashboard/dashboard.js', 'application/javascript; charset=utf-8'],
  '/dashboard/dashboard.css': ['dashboard/dashboard.css', 'text/css; charset=utf-8'],
  '/graphiql/graphql-ws.min.js': ['graphiql/graphql-ws.min.js', 'application/javascript; charset=utf-8'],
};
createServer(async (request, response) => {
  const file = files[new URL(request.url, 'http://localhost').pathname];
  if (!file) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': file[1] }).end(await readFile(path.join(src, file[0])));
}).listen(port, '127.0.0.1', () => console.log(`dashboard files on http://127.0.0.1:${port}/dashboard/`));
