// Tier 4 (issue 4): landing page → create a room → pre-join screen, in English and German.
// axe-core finds no serious or critical problem; every request goes to the server's own origin;
// the privacy notice is rendered from api/privacy; the camera/microphone defaults follow [client];
// screenshots build/screenshots/prejoin-{en,de}.png for review.
import path from 'node:path';
import { startDaemon, launch, recordRequests, axeCheck, until, fail, run, screenshotDir } from './lib.mjs';

await run('web prejoin', async (setDaemon) => {
  const d = await startDaemon('[client]\ncamera_on_join = true\n');
  setDaemon(d);
  const browser = await launch();
  try {
    for (const [locale, lang, join, create] of [['en-US', 'en', 'Join', 'Start a new meeting'], ['de-DE', 'de', 'Beitreten', 'Neue Besprechung starten']]) {
      const foreign = [];
      const ctx = await browser.newContext({ permissions: ['camera', 'microphone'], locale, viewport: { width: 1100, height: 900 } });
      const page = await ctx.newPage();
      recordRequests(page, d.origin, foreign);
      await page.goto(d.origin + '/');
      await axeCheck(page, `landing (${lang})`);
      await page.getByRole('button', { name: create }).click();
      await page.waitForURL(/\/r\/[a-z0-9]{16,}$/);
      const room = page.url().split('/r/')[1];
      if (!/^[a-z0-9]{16,}$/.test(room)) fail('generated room name is not unguessable: ' + room);
      await page.getByRole('button', { name: join, exact: true }).waitFor();
      await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      if ((await page.getAttribute('html', 'lang')) !== lang) fail(`page language is not ${lang}`);
      // [client] camera_on_join = true: the camera toggle starts pressed, the microphone not.
      await until('camera preview on by the server default', async () => ({
        ok: (await page.getAttribute('#pre-cam', 'aria-pressed')) === 'true' &&
          (await page.getAttribute('#pre-mic', 'aria-pressed')) === 'false' &&
          await page.evaluate(() => !!document.getElementById('preview-video').srcObject),
      }), 10000);
      await axeCheck(page, `pre-join (${lang})`);
      await page.screenshot({ path: path.join(screenshotDir(), `prejoin-${lang}.png`) });
      await page.click('#privacy-open');
      await until('privacy notice rendered', async () => ({ ok: (await page.locator('#privacy-list li').count()) >= 5 }), 5000);
      await axeCheck(page, `privacy notice (${lang})`);
      if (foreign.length) fail('requests to other origins: ' + foreign.join(', '));
      await ctx.close();
    }
  } finally {
    await browser.close();
  }
});
