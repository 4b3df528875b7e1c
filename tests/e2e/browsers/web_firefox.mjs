// Tier 4, the web client in Firefox. Run by run.sh inside a network namespace whose interface
// address (PLENUM_MEDIA_ADDRESS) carries the daemon's ICE-lite candidate. Anna opens the room link
// in Firefox (Debian's firefox-esr through puppeteer-core, WebDriver BiDi), Ben in Chromium
// (playwright-core); both switch camera and microphone on in the pre-join screen and press Join,
// as a person would. Each must see exactly one remote tile whose video decodes (60+ frames), both
// sending connections must be connected, and neither page may show a banner or a page error.
// Deadlines only bound failures.
import { fail, until, startDaemon, launch, run } from '../web/lib.mjs';
import { mediaAddress, launchFirefox } from './lib.mjs';

const address = mediaAddress();

// Evaluated in each page: remote tiles, frames decoded per remote video, the banner, the state
// of the sending connection.
async function probe() {
  const dbg = window.plenumDebug;
  const frames = [];
  if (dbg && dbg.subscribePC)
    (await dbg.subscribePC.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames.push(s.framesDecoded || 0); });
  const b = document.getElementById('banner');
  return {
    tiles: document.querySelectorAll('#tiles .tile:not(.self)').length, frames,
    banner: b && !b.hidden ? b.textContent : null,
    pub: dbg && dbg.publishPC ? dbg.publishPC.connectionState : null,
  };
}

await run('browsers web_firefox', async (setDaemon) => {
  const d = await startDaemon('', { mediaAddress: address });
  setDaemon(d);
  const errors = [];
  const chromium = await launch(['--disable-features=LocalNetworkAccessChecks']);
  const firefox = await launchFirefox({ 'intl.accept_languages': 'en-US' });
  try {
    const anna = await firefox.newPage();
    anna.on('pageerror', (e) => errors.push('Firefox: ' + e.message));
    await anna.goto(`${d.origin}/r/mixed-web?name=Anna`);
    await anna.waitForSelector('#join:not([disabled])'); // the pre-join screen is ready
    await anna.click('#pre-mic');
    await anna.click('#pre-cam');
    await anna.click('#join');

    const ctx = await chromium.newContext({ permissions: ['camera', 'microphone'], locale: 'en-US' });
    const ben = await ctx.newPage();
    ben.on('pageerror', (e) => errors.push('Chromium: ' + e.message));
    await ben.goto(`${d.origin}/r/mixed-web?name=Ben`);
    await ben.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
    await ben.getByRole('button', { name: 'Microphone' }).click();
    await ben.getByRole('button', { name: 'Camera' }).click();
    await ben.getByRole('button', { name: 'Join', exact: true }).click();

    const r = await until('one remote tile with 60+ decoded frames on each page', async () => {
      const a = await anna.evaluate(probe);
      const b = await ben.evaluate(probe);
      if (a.banner || b.banner) fail('banner: ' + JSON.stringify([a.banner, b.banner]));
      return { ok: a.tiles === 1 && b.tiles === 1 && (a.frames[0] || 0) >= 60 && (b.frames[0] || 0) >= 60 &&
        a.pub === 'connected' && b.pub === 'connected', a, b };
    }, 60000);
    if (errors.length) fail('page errors: ' + errors.join('; '));
    console.log(`Firefox ${await firefox.version()} (web client) decoded ${r.a.frames[0]} frames of Chromium; ` +
      `Chromium decoded ${r.b.frames[0]} frames of Firefox`);
  } finally {
    await firefox.close();
    await chromium.close();
  }
});
