// Tier 4, mixed browsers. Run by run.sh inside a network namespace whose interface address
// (PLENUM_MEDIA_ADDRESS) carries the daemon's ICE-lite candidate. Anna uses Firefox (Debian's
// firefox-esr, driven over WebDriver BiDi by puppeteer-core), Ben Chromium (playwright-core); both
// run tests/e2e/media/client.js, publish fake camera and microphone and receive each other
// through the real daemon. Each must decode 100 frames of the other's video in the same codec
// (VP8) and receive the other's audio, over connected PeerConnections, without a client error.
// This is the check that Firefox's full ICE agent, DTLS and SRTP work with Plenum's ICE-lite
// (written against Chromium and libnice); before it, Firefox was never driven against the
// server. Deadlines only bound failures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, until, startDaemon, launch, run } from '../web/lib.mjs';
import { mediaAddress, launchFirefox } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const address = mediaAddress();

// Frames decoded and audio packets received from `peer`, the codec, and both PCs' states.
function received(page, peer) {
  return page.evaluate(async (who) => {
    const t = window.plenumTest;
    const s = await t.stats();
    return {
      frames: s.video[who] || 0, audio: s.audio[who] || 0, codec: s.videoCodec,
      pub: t.pub && t.pub.connectionState, sub: t.sub && t.sub.connectionState, errors: t.errors,
    };
  }, peer);
}

await run('browsers mixed', async (setDaemon) => {
  const d = await startDaemon('', { mediaAddress: address });
  setDaemon(d);
  const origin = d.origin;
  const clientJs = fs.readFileSync(path.join(here, '../media/client.js'), 'utf8');
  const chromium = await launch(['--disable-features=LocalNetworkAccessChecks']);
  const firefox = await launchFirefox();
  try {
    // Firefox: the daemon's own page gives the origin; the client is evaluated into it.
    const anna = await firefox.newPage();
    await anna.goto(origin + '/');
    await anna.evaluate(clientJs);
    // Chromium: a test page at the daemon's origin, as in tests/e2e/media.
    const ctx = await chromium.newContext({ permissions: ['camera', 'microphone'] });
    const ben = await ctx.newPage();
    await ben.route(origin + '/__media_test/**', (route) => route.request().url().endsWith('.js')
      ? route.fulfill({ contentType: 'text/javascript', body: clientJs })
      : route.fulfill({ contentType: 'text/html', body: `<!doctype html><base href="${origin}/"><script src="/__media_test/client.js"></script>` }));
    await ben.goto(origin + '/__media_test/index.html');

    const annaId = await anna.evaluate(() => window.plenumTest.start('e2e-browsers', 'Anna'));
    const benId = await ben.evaluate(() => window.plenumTest.start('e2e-browsers', 'Ben'));
    const r = await until('Firefox and Chromium each decode 100 frames of the other and hear it', async () => {
      const a = await received(anna, benId);
      const b = await received(ben, annaId);
      if (a.errors.length || b.errors.length) fail('client errors: ' + JSON.stringify([a.errors, b.errors]));
      return { ok: a.frames >= 100 && b.frames >= 100 && a.audio > 0 && b.audio > 0, a, b };
    }, 60000);
    for (const [who, s] of [['Firefox', r.a], ['Chromium', r.b]]) {
      if ((s.codec || '').toLowerCase() !== 'video/vp8') fail(`${who} decodes ${s.codec}, expected video/VP8`);
      if (s.pub !== 'connected' || s.sub !== 'connected') fail(`${who}: publish ${s.pub}, subscribe ${s.sub}`);
    }
    const m = await (await fetch(origin + '/metrics')).text();
    const connected = Number((m.match(/^plenum_media_transports_connected_total (\d+)/m) || [])[1] || 0);
    if (connected < 4) fail(`${connected} transports connected, expected 4`);
    console.log(`Firefox ${await firefox.version()} decoded ${r.a.frames} frames of Chromium, heard ${r.a.audio} packets; ` +
      `Chromium decoded ${r.b.frames} frames of Firefox, heard ${r.b.audio} packets; ICE-lite on ${address}`);
  } finally {
    await firefox.close();
    await chromium.close();
  }
});
