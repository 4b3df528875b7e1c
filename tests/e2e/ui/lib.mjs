// Shared pieces of the web client's UI tests (tests/e2e/ui): the real daemon on a free loopback
// port, Debian's Chromium through playwright-core, a same-origin request recorder, a CSP
// violation recorder and axe-core. Deadlines only bound failures; nothing sleeps for a result.
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
const require = createRequire(path.join(source, 'tests/e2e/package.json'));

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

// The daemon with a temporary config: `base` is its base_path (as behind a reverse proxy),
// `extra` appends sections (e.g. [client]).
export async function startDaemon({ base = '/', extra = '' } = {}) {
  if (!fs.existsSync(binary)) fail(`no daemon binary at ${binary} (set PLENUM_BINARY)`);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-ui-'));
  const conf = path.join(dir, 'plenum.conf');
  fs.writeFileSync(conf, `[http]\nlisten = 127.0.0.1:${port}\nbase_path = ${base}\n[media]\naddresses = 127.0.0.1\n` +
    `[log]\nlevel = info\ntarget = stderr\n${extra}`);
  const logPath = path.join(dir, 'plenum.log');
  const fd = fs.openSync(logPath, 'w');
  const proc = spawn(binary, ['--config', conf], { stdio: ['ignore', fd, fd] });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  const origin = `http://127.0.0.1:${port}`;
  try {
    await until('daemon /healthz', async () => {
      try { return { ok: (await fetch(origin + base + 'healthz')).status === 200 }; } catch { return { ok: false }; }
    }, 10000);
  } catch (e) {
    proc.kill('SIGKILL');
    fail(`${e.message}\n--- daemon log ---\n${fs.readFileSync(logPath, 'utf8')}`);
  }
  return {
    origin,
    log() { return fs.readFileSync(logPath, 'utf8'); },
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

export async function launch() {
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
      '--auto-select-desktop-capture-source=Entire screen'],
  });
}

// Records every request that leaves the daemon's origin (http and websocket) and every
// Content-Security-Policy violation or uncaught page error.
export function watchPage(page, origin, label, problems) {
  const wsOrigin = origin.replace(/^http/, 'ws');
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (!u.startsWith(origin + '/')) problems.push(`${label}: request to another origin: ${u}`);
  });
  page.on('websocket', (ws) => {
    if (!ws.url().startsWith(wsOrigin + '/')) problems.push(`${label}: websocket to another origin: ${ws.url()}`);
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`${label}: CSP violation: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
}

// axe-core is evaluated through the DevTools protocol: the page's CSP (rightly) refuses the
// inline <script> that page.addScriptTag would insert, and bypassCSP would hide our own
// violations.
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export async function axeCheck(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (res.length) fail(`axe-core on ${what}: ${res.join('; ')}`);
  console.log(`axe-core: ${what}: no serious or critical violations`);
}

export function screenshotPath(name) {
  const d = path.join(buildDir, 'screenshots');
  fs.mkdirSync(d, { recursive: true });
  return path.join(d, name);
}

// Runs a test body; on failure prints the reason and the daemon log tail; always stops the daemon
// and checks it exits cleanly.
export async function run(name, body) {
  const state = { daemon: null, browser: null };
  try {
    await body(state);
    console.log('PASS: ' + name);
  } catch (e) {
    console.error('FAIL: ' + name + ': ' + (e.testFailure ? e.message : (e.stack || e)));
    if (state.daemon) console.error('--- daemon log (tail) ---\n' + state.daemon.log().split('\n').slice(-40).join('\n'));
    process.exitCode = 1;
  } finally {
    if (state.browser) await state.browser.close().catch(() => {});
    if (state.daemon) {
      const { code, sig } = await state.daemon.stop();
      if (code !== 0) { console.error(`FAIL: daemon exit ${code} ${sig || ''}`); process.exitCode = 1; }
    }
  }
}
