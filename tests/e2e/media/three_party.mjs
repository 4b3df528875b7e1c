// Tier 4, media plane (issue 3): three headless Chromium participants with fake camera and
// microphone join one room on the real daemon over loopback. Each must decode at least 150 video
// frames from each of the others and receive their audio; the SRTP cipher must be AES-GCM; a
// publisher's availableOutgoingBitrate must pass 1 Mbps within 15 s (the server's transport-wide
// congestion feedback works); when one leaves, the others' views of it end and media between the
// remaining two keeps flowing. Deadlines only bound failures; nothing here sleeps for a result.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.PLENUM_SOURCE_DIR || path.resolve(here, '../../..');
const binary = process.env.PLENUM_BINARY || path.join(source, 'build/plenum');
const require = createRequire(path.join(source, 'tests/e2e/package.json'));
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  console.error('FAIL: playwright-core missing: run npm ci in tests/e2e');
  process.exit(1);
}

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exitCode = 1;
  throw new Error(msg);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function until(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, 250)); // polling interval, not a wait for a result
  }
  fail(`${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

const port = await freePort();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-e2e-'));
const conf = path.join(dir, 'plenum.conf');
// PLENUM_VIDEO_CODECS (e.g. "vp9" or "h264;vp8") runs the same test with another codec.
const codecs = process.env.PLENUM_VIDEO_CODECS ? `video_codecs = ${process.env.PLENUM_VIDEO_CODECS}\n` : '';
fs.writeFileSync(conf, `[http]\nlisten = 127.0.0.1:${port}\n[media]\naddresses = 127.0.0.1\n${codecs}[log]\nlevel = debug\ntarget = stderr\n`);
const logPath = path.join(dir, 'plenum.log');
const logFd = fs.openSync(logPath, 'w');
const daemon = spawn(binary, ['--config', conf], { stdio: ['ignore', logFd, logFd] });
const origin = `http://127.0.0.1:${port}`;
let browser;
try {
  await until('daemon healthz', async () => {
    try { return { ok: (await fetch(origin + '/healthz')).status === 200 }; } catch { return { ok: false }; }
  }, 10000);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
      '--disable-background-networking', '--disable-component-update', '--no-first-run',
      // The test page is fulfilled by Playwright, so Chromium cannot see it came from loopback.
      '--disable-features=LocalNetworkAccessChecks'],
  });
  const clientJs = fs.readFileSync(path.join(here, 'client.js'), 'utf8');
  const pages = [];
  const names = ['Anna', 'Ben', 'Cleo'];
  for (const name of names) {
    const ctx = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}] ${m.text()}`); });
    // The test page is served at the daemon's origin so the websocket Origin check applies.
    await page.route(origin + '/__media_test/**', (route) => {
      const url = route.request().url();
      if (url.endsWith('.js')) return route.fulfill({ contentType: 'text/javascript', body: clientJs });
      return route.fulfill({ contentType: 'text/html', body: `<!doctype html><base href="${origin}/"><script src="/__media_test/client.js"></script>` });
    });
    await page.goto(origin + '/__media_test/index.html');
    pages.push(page);
  }
  const started = Date.now();
  const ids = [];
  for (let i = 0; i < pages.length; i++)
    ids.push(await pages[i].evaluate(([n]) => window.plenumTest.start('e2e-media', n), [names[i]]));

  // A publisher's estimate must pass 1 Mbps within 15 s of joining.
  const bw = await until('a publisher\'s availableOutgoingBitrate > 1 Mbps', async () => {
    let outgoing = 0;
    for (const p of pages) outgoing = Math.max(outgoing, (await p.evaluate(() => window.plenumTest.stats())).outgoing || 0);
    return { ok: outgoing > 1e6, outgoing, after_ms: Date.now() - started };
  }, 15000 - (Date.now() - started));
  console.log(`availableOutgoingBitrate ${Math.round(bw.outgoing / 1000)} kbps after ${bw.after_ms} ms`);

  const frames = await until('150 frames from each other participant, and audio', async () => {
    const all = [];
    let ok = true;
    for (let i = 0; i < pages.length; i++) {
      const s = await pages[i].evaluate(() => window.plenumTest.stats());
      all.push(s);
      for (let j = 0; j < pages.length; j++) {
        if (i === j) continue;
        if (!((s.video[ids[j]] || 0) >= 150 && (s.audio[ids[j]] || 0) > 0)) ok = false;
      }
    }
    return { ok, all };
  }, 60000);
  for (let i = 0; i < pages.length; i++) {
    const s = frames.all[i];
    console.log(`${names[i]}: frames ${JSON.stringify(s.video)} (${s.videoCodec}) audio packets ${JSON.stringify(s.audio)} cipher ${s.srtpCipher}`);
    // Chromium names it "SRTP_AEAD_AES_128_GCM" (older versions "AEAD_AES_128_GCM"). This is the
    // receiving transport, where the server is the DTLS server and chooses; on the publishing
    // transport the server answers a=setup:active and the browser (DTLS server) picks.
    if (!/AEAD_AES_128_GCM$/.test(s.srtpCipher || '')) fail(`${names[i]} negotiated ${s.srtpCipher}, not AES-GCM`);
    const want = (process.env.PLENUM_VIDEO_CODECS || 'vp8').split(';')[0].toLowerCase();
    if ((s.videoCodec || '').toLowerCase() !== 'video/' + want) fail(`${names[i]} decodes ${s.videoCodec}, expected video/${want}`);
  }

  // Cleo leaves: her tracks end for the others (their m-lines turn inactive), Anna and Ben keep
  // receiving each other.
  const cleoMids = [];
  for (const p of pages.slice(0, 2))
    cleoMids.push(await p.evaluate((cleo) => Object.values(window.plenumTest.subscribeTracks)
      .filter((t) => t.participant === cleo).map((t) => t.mid), ids[2]));
  if (cleoMids.some((m) => m.length !== 2)) fail('each page received two tracks of Cleo: ' + JSON.stringify(cleoMids));
  await pages[2].evaluate(() => window.plenumTest.leave());
  await until('the others see Cleo leave and her tracks end', async () => {
    let ok = true;
    for (let k = 0; k < 2; k++) {
      const r = await pages[k].evaluate((mids) => ({
        left: window.plenumTest.events.includes('participant-left'),
        live: window.plenumTest.sub.getTransceivers().filter((t) => mids.includes(t.mid))
          .filter((t) => !t.stopped && t.currentDirection !== 'inactive' && t.receiver.track.readyState === 'live').length,
      }), cleoMids[k]);
      if (!r.left || r.live !== 0) ok = false;
    }
    return { ok };
  }, 15000);
  const before = await pages[0].evaluate(() => window.plenumTest.stats());
  await until('media between the remaining two keeps flowing', async () => {
    const a = await pages[0].evaluate(() => window.plenumTest.stats());
    const b = await pages[1].evaluate(() => window.plenumTest.stats());
    return { ok: a.video[ids[1]] >= before.video[ids[1]] + 60 && b.video[ids[0]] > 0, a: a.video, b: b.video };
  }, 20000);
  const errors = [];
  for (const p of pages.slice(0, 2)) errors.push(...await p.evaluate(() => window.plenumTest.errors));
  if (errors.length) fail('client errors: ' + JSON.stringify(errors));
  console.log('PASS: three_party');
} catch (e) {
  if (!process.exitCode) { console.error('FAIL: ' + (e.stack || e)); process.exitCode = 1; }
  console.error('--- daemon log (tail) ---\n' + fs.readFileSync(logPath, 'utf8').split('\n').slice(-60).join('\n'));
} finally {
  if (browser) await browser.close();
  // Every participant is gone: the daemon must drain and exit 0 at once, without sanitizer
  // reports (the sanitizer build runs this test too) and with all media state torn down.
  const exited = new Promise((resolve) => daemon.on('exit', (code, sig) => resolve({ code, sig })));
  daemon.kill('SIGTERM');
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 20000);
  const { code, sig } = await exited;
  clearTimeout(timer);
  const log = fs.readFileSync(logPath, 'utf8');
  if (code !== 0) { console.error(`FAIL: daemon exit ${code} ${sig || ''}\n` + log.split('\n').slice(-40).join('\n')); process.exitCode = 1; }
  if (/Sanitizer|runtime error:/.test(log)) { console.error('FAIL: sanitizer report in the daemon log:\n' + log.split('\n').filter((l) => /Sanitizer|runtime error|#\d+ /.test(l)).slice(0, 40).join('\n')); process.exitCode = 1; }
}
