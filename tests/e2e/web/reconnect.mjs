// Tier 4 (issue 4, resilience): two people in a room; one's websocket drops (closed under the
// page, as a network change would). The page must show the reconnecting state, join again by
// itself, and both must decode each other's video again; the other sees the participant return.
// The server's shutdown notice is shown when the daemon is told to stop.
import { startDaemon, launch, recordRequests, until, fail, run } from './lib.mjs';

await run('web reconnect', async (setDaemon) => {
  const d = await startDaemon();
  setDaemon(d);
  const browser = await launch();
  try {
    const foreign = [];
    const pages = [];
    for (const name of ['Dora', 'Emil']) {
      const ctx = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'en-US' });
      const page = await ctx.newPage();
      recordRequests(page, d.origin, foreign);
      await page.goto(`${d.origin}/r/resilience?name=${name}`);
      await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      await page.getByRole('button', { name: 'Camera' }).click();
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      pages.push(page);
    }
    const frames = (p) => p.evaluate(async () => {
      const pc = window.plenumDebug && window.plenumDebug.subscribePC;
      let f = 0;
      if (pc && pc.connectionState === 'connected')
        (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') f += s.framesDecoded || 0; });
      return f;
    });
    await until('both decode video', async () => ({ ok: (await frames(pages[0])) > 30 && (await frames(pages[1])) > 30 }), 30000);

    // Dora's connection drops.
    await pages[0].evaluate(() => window.plenumRoom.sig.ws.close());
    await until('reconnecting banner', async () => ({ ok: (await pages[0].textContent('#banner')).includes('Reconnecting') }), 5000);
    await until('banner cleared after rejoining', async () => ({ ok: await pages[0].isHidden('#banner') }), 20000);
    await until('video flows again both ways', async () => { const a = await frames(pages[0]); const b = await frames(pages[1]); const st = await pages[0].evaluate(() => ({ pub: window.plenumDebug.publishPC && window.plenumDebug.publishPC.connectionState, sub: window.plenumDebug.subscribePC && window.plenumDebug.subscribePC.connectionState, banner: document.getElementById('banner').textContent })); return { ok: a > 30 && b > 30, a, b, st }; }, 30000);
    await until('Emil sees Dora again', async () => ({
      ok: await pages[1].evaluate(() => [...document.querySelectorAll('#tiles .tile:not(.self)')].some((t) => t.textContent.includes('Dora'))),
    }), 10000);

    // The server is told to stop: both see the shutdown notice.
    d.signal('SIGTERM');
    for (const p of pages)
      await until('shutdown notice', async () => ({ ok: (await p.textContent('#banner')).includes('maintenance') }), 10000);
    if (foreign.length) fail('requests to other origins: ' + foreign.join(', '));
  } finally {
    await browser.close();
  }
});
