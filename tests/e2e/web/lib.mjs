// Shared pieces of the web client's browser tests: the real daemon on a free loopback port,
// Debian's Chromium through playwright-core, a same-origin request recorder and axe-core.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const source = process.env.PLENUM_SOURCE_DIR || path.resolve(here, '../../..');
export const buildDir = process.env.PLENUM_BUILD_DIR || path.join(source, 'build');
const binary = process.env.PLENUM_BINARY || path.join(buildDir, 'plenum');
export const require = createRequire(path.join(source, 'tests/e2e/package.json'));

export function fail(msg) {
  const e = new Error(msg);
  e.testFailure = true;
  throw e;
}

export async function until(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last && last.ok) return last;
    await new Promise((r) => setTimeout(r, 250)); // polling interval, not a wait for a result
  }
  fail(`${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// mediaAddress: the address of the media plane's ICE-lite candidate (Firefox pairs no loopback
// candidate with its own host candidates: tests/e2e/browsers uses an interface address).
export async function startDaemon(extra = '', { mediaAddress = '127.0.0.1' } = {}) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-web-'));
  const conf = path.join(dir, 'plenum.conf');
  fs.writeFileSync(conf, `[http]\nlisten = 127.0.0.1:${port}\n[media]\naddresses = ${mediaAddress}\n[log]\nlevel = info\ntarget = stderr\n${extra}`);
  const logPath = path.join(dir, 'plenum.log');
  const fd = fs.openSync(logPath, 'w');
  const proc = spawn(binary, ['--config', conf], { stdio: ['ignore', fd, fd] });
  const origin = `http://127.0.0.1:${port}`;
  await until('daemon /healthz', async () => {
    try { return { ok: (await fetch(origin + '/healthz')).status === 200 }; } catch { return { ok: false }; }
  }, 10000);
  return {
    origin, logPath,
    stop() { proc.kill('SIGINT'); proc.kill('SIGINT'); },
    signal(sig) { proc.kill(sig); },
    log() { return fs.readFileSync(logPath, 'utf8'); },
  };
}

// extraArgs: further Chromium switches a test needs.
export async function launch(extraArgs = []) {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch {
    fail('playwright-core missing: run npm ci in tests/e2e');
  }
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
      '--disable-background-networking', '--disable-component-update', '--no-first-run',
      '--auto-select-desktop-capture-source=Entire screen', ...extraArgs],
  });
}

// Every request a page makes must go to the server's own origin.
export function recordRequests(page, origin, foreign) {
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (!u.startsWith(origin + '/') && !u.startsWith(origin.replace('http', 'ws') + '/')) foreign.push(u);
  });
  page.on('websocket', (ws) => { if (!ws.url().startsWith(origin.replace('http', 'ws') + '/')) foreign.push(ws.url()); });
}

export async function axeCheck(page, what) {
  // Evaluated through the DevTools protocol: the page's CSP (rightly) forbids injected scripts.
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (res.length) fail(`axe-core on ${what}: ${res.join('; ')}`);
}

export function screenshotDir() {
  const d = path.join(buildDir, 'screenshots');
  fs.mkdirSync(d, { recursive: true });
  return d;
}

export async function run(name, body) {
  let daemon;
  try {
    await body((d) => { daemon = d; });
    console.log('PASS: ' + name);
  } catch (e) {
    console.error('FAIL: ' + (e.testFailure ? e.message : (e.stack || e)));
    if (daemon) console.error('--- daemon log (tail) ---\n' + daemon.log().split('\n').slice(-40).join('\n'));
    process.exitCode = 1;
  } finally {
    if (daemon) daemon.stop();
  }
}
