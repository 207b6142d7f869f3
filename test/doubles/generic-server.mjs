/**
 * A generic supervised server for the supervision core's tests (electron/processes/supervisor.ts): knows
 * nothing of Ollama or A1111, only the shape they share — print a "Listening on" line early, serve later.
 *
 *   DOUBLE_PORT               the port to serve GET / on, on 127.0.0.1 (required)
 *   DOUBLE_PROGRESS_EVERY_MS  while the start is delayed, print a progress line this often (a first-run
 *                             install that keeps printing); without it the delay is silent
 *   DOUBLE_BANNER             "0": print no "Listening on" line
 *   + the misbehaviours of process-behaviours.mjs (start delay, crash, SIGTERM ignored, grandchild, pid files)
 *
 * Run with `node test/doubles/generic-server.mjs`.
 */
import http from 'node:http';
import { applyProcessBehaviours, scheduleCrash, sleep, startDelayMs } from './process-behaviours.mjs';

const port = Number(process.env.DOUBLE_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('generic-server: DOUBLE_PORT is required');
  process.exit(64);
}

applyProcessBehaviours();
// Like Ollama's slog line, printed before the server serves (facts.md: not a readiness signal).
if (process.env.DOUBLE_BANNER !== '0') console.log(`Listening on 127.0.0.1:${port} (pid ${process.pid})`);

const every = Number(process.env.DOUBLE_PROGRESS_EVERY_MS ?? 0);
if (startDelayMs > 0) {
  let progress;
  if (every > 0) {
    let n = 0;
    progress = setInterval(() => console.error(`installing… step ${++n}`), every);
  }
  await sleep(startDelayMs);
  clearInterval(progress);
}

const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(req.url === '/' ? 'generic server is running' : 'not found');
});
server.listen(port, '127.0.0.1', () => {
  console.log('serving');
  scheduleCrash();
});
server.on('error', (e) => {
  console.error(`Error: listen tcp 127.0.0.1:${port}: ${e.code}`);
  process.exit(1);
});
