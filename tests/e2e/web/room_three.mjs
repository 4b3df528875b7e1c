// Tier 4 (issue 4): three people join one room through the real web client as a user would:
// open the room link, type a name, press Join. Each sees the other two tiles with decoding video;
// a chat message reaches both others; a muted microphone shows on the others' tiles; a screen
// share appears for the others; leaving removes the tile. axe-core finds no serious or critical
// problem in the room (English and German); every request goes to the server's own origin.
import path from 'node:path';
import { startDaemon, launch, recordRequests, axeCheck, until, fail, run, screenshotDir } from './lib.mjs';

await run('web room_three', async (setDaemon) => {
  const d = await startDaemon();
  setDaemon(d);
  const browser = await launch();
  try {
    const foreign = [];
    const names = ['Anna', 'Ben', 'Cleo'];
    const pages = [];
    for (const name of names) {
      const ctx = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'en-US', viewport: { width: 1280, height: 800 } });
      const page = await ctx.newPage();
      recordRequests(page, d.origin, foreign);
      page.on('pageerror', (e) => console.log(`[${name}] page error: ${e.message}`));
      await page.goto(`${d.origin}/r/weekly-team?name=${name}`);
      await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      await page.getByRole('button', { name: 'Microphone' }).click();
      await page.getByRole('button', { name: 'Camera' }).click();
      if ((await page.inputValue('#name')) !== name) fail('?name= pre-fills the name');
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      pages.push(page);
    }
    // Everyone sees two other tiles, each decoding video.
    await until('two remote tiles with 150+ decoded frames each, on every page', async () => {
      const res = [];
      for (const p of pages) {
        res.push(await p.evaluate(async () => {
          const tiles = document.querySelectorAll('#tiles .tile:not(.self)').length;
          const pc = window.plenumDebug && window.plenumDebug.subscribePC;
          const frames = [];
          if (pc) (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames.push(s.framesDecoded || 0); });
          return { tiles, frames };
        }));
      }
      return { ok: res.every((r) => r.tiles === 2 && r.frames.length >= 2 && r.frames.every((f) => f >= 150)), res };
    }, 60000);

    // Chat reaches both others.
    await pages[0].getByRole('button', { name: 'Chat', exact: true }).click();
    await pages[0].fill('#chat-input', 'Hallo zusammen');
    await pages[0].getByRole('button', { name: 'Send' }).click();
    for (const p of pages.slice(1))
      await until('chat arrives', async () => ({ ok: (await p.textContent('#chat-log')).includes('Hallo zusammen') }), 10000);

    // Anna mutes her microphone: the others see the mark on her tile.
    await pages[0].getByRole('button', { name: 'Microphone' }).click();
    for (const p of pages.slice(1))
      await until('muted mark on Anna\'s tile', async () => ({
        ok: await p.evaluate(() => [...document.querySelectorAll('#tiles .tile')].some((t) => t.textContent.includes('Anna') && t.querySelector('.muted-mic'))),
      }), 10000);

    // Ben shares his screen: a screen tile appears for the others.
    await pages[1].getByRole('button', { name: 'Share screen' }).click();
    for (const p of [pages[0], pages[2]])
      await until('screen share tile', async () => ({ ok: await p.evaluate(() => !!document.querySelector('#screen-area .tile.screen video')) }), 20000);

    await axeCheck(pages[0], 'room (en)');
    await pages[0].screenshot({ path: path.join(screenshotDir(), 'room-three.png') });
    await pages[0].getByRole('button', { name: 'Deutsch' }).click();
    await until('German strings', async () => ({ ok: (await pages[0].textContent('#ctl-leave')) === 'Verlassen' }), 5000);
    await axeCheck(pages[0], 'room (de)');

    // Cleo leaves: her tile disappears for the others.
    await pages[2].getByRole('button', { name: 'Leave' }).click();
    for (const p of pages.slice(0, 2))
      await until('Cleo\'s tile removed', async () => ({ ok: await p.evaluate(() => ![...document.querySelectorAll('#tiles .tile')].some((t) => t.textContent.includes('Cleo'))) }), 10000);
    if (foreign.length) fail('requests to other origins: ' + foreign.join(', '));
  } finally {
    await browser.close();
  }
});
