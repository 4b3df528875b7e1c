// Tier 4 (issue 5, the join path under load): a server at [http] max_connections refuses the
// websocket with 503, which a browser hides from scripts. The web client must tell the person
// that the server is full, not that it cannot be reached; and once a connection closes, Join
// works again. max_connections = 1; a second page holds the one websocket.
import { startDaemon, launch, until, fail, run } from './lib.mjs';

await run('web server full', async (setDaemon) => {
  const d = await startDaemon('[http]\nmax_connections = 1\n');
  setDaemon(d);
  const browser = await launch();
  try {
    const open = async (locale) => {
      const ctx = await browser.newContext({ permissions: ['camera', 'microphone'], locale });
      const page = await ctx.newPage();
      await page.goto(`${d.origin}/r/full-house?name=Ida`);
      await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      return page;
    };
    // Both pages are loaded while there is room (a full server refuses pages too).
    const page = await open('en-US');
    const pageDe = await open('de-DE');
    const holder = await open('en-US');
    await holder.evaluate((url) => new Promise((resolve, reject) => {
      window.heldSocket = new WebSocket(url);
      window.heldSocket.onopen = resolve;
      window.heldSocket.onerror = () => reject(new Error('the holding websocket did not open'));
    }), d.origin.replace('http', 'ws') + '/ws');

    const refusedText = async (p, join, want) => {
      await p.getByRole('button', { name: join, exact: true }).click();
      return until(`the pre-join screen says "${want}"`, async () => {
        const err = await p.locator('#prejoin-error');
        const text = (await err.isVisible()) ? await err.textContent() : '';
        return { ok: text.includes(want), text };
      }, 15000);
    };
    await refusedText(page, 'Join', 'The server is full right now');
    await refusedText(pageDe, 'Beitreten', 'Der Server ist gerade voll');
    const m = await (await fetch(d.origin + '/metrics')).text();
    const refused = Number((m.match(/^plenum_http_refused_total (\d+)$/m) || [])[1]);
    if (!(refused >= 2)) fail(`plenum_http_refused_total counts the refused upgrades: ${refused}`);

    // The slot frees up: the same page joins.
    await holder.evaluate(() => window.heldSocket.close());
    await until('/metrics shows no open websocket', async () => {
      const t = await (await fetch(d.origin + '/metrics')).text();
      return { ok: /^plenum_websocket_connections 0$/m.test(t) };
    }, 10000);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await until('joined: the room view with Ida in it', async () => ({
      ok: await page.evaluate(() => !document.getElementById('view-room').hidden &&
        [...document.querySelectorAll('#tiles .tile.self')].some((t) => t.textContent.includes('Ida'))),
    }), 15000);
  } finally {
    await browser.close();
  }
});
