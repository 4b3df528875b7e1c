// Tier 4 (issue 4), web client before joining, with the daemon under a reverse-proxy style base
// path (/meet/) and [client] camera_on_join = true:
// - landing → "Start a new meeting" → pre-join at <base>r/<room> with a generated room name of
//   16+ characters [a-z0-9]; the invitation link shown is that URL;
// - English and German, picked from the browser's language; the switch is remembered;
// - camera toggle pressed and preview running by the server default, microphone not;
// - the privacy notice is rendered from api/privacy (no untranslated keys);
// - axe-core: no serious or critical violation on landing, pre-join and privacy notice, in both
//   languages; every request goes to the daemon's own origin; no CSP violation or page error;
// - the name is remembered in localStorage; joining with camera and microphone off works and shows
//   the initials placeholder; with [rooms] max_participants = 2 a third person gets "This
//   meeting is full." on the pre-join screen;
// - screenshots build/screenshots/prejoin-en.png and prejoin-de.png.
import { startDaemon, launch, watchPage, axeCheck, until, fail, run, screenshotPath } from './lib.mjs';

const BASE = '/meet/';
const TEXT = {
  en: { locale: 'en-US', create: 'Start a new meeting', join: 'Join', privacy: 'Privacy', switchTo: 'Deutsch' },
  de: { locale: 'de-DE', create: 'Neue Besprechung starten', join: 'Beitreten', privacy: 'Datenschutz', switchTo: 'English' },
};

await run('ui_prejoin', async (state) => {
  state.daemon = await startDaemon({ base: BASE, extra: '[client]\ncamera_on_join = true\n[rooms]\nmax_participants = 2\n' });
  const { origin } = state.daemon;
  state.browser = await launch();
  const problems = [];
  for (const lang of ['en', 'de']) {
    const tx = TEXT[lang];
    const ctx = await state.browser.newContext({ permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'],
      locale: tx.locale, viewport: { width: 1100, height: 900 } });
    const page = await ctx.newPage();
    watchPage(page, origin, lang, problems);
    await page.goto(origin + BASE);
    await page.getByRole('button', { name: tx.create }).waitFor({ timeout: 10000 });
    if ((await page.getAttribute('html', 'lang')) !== lang) fail(`landing: html lang is not ${lang}`);
    await axeCheck(page, `landing (${lang})`);

    await page.getByRole('button', { name: tx.create }).click();
    await page.waitForURL(new RegExp(`${BASE}r/[^/?#]+$`), { timeout: 10000 });
    const room = decodeURIComponent(page.url().split('/r/')[1]);
    if (!/^[a-z0-9]{16,}$/.test(room)) fail(`generated room name is not 16+ of [a-z0-9]: ${room}`);
    await page.getByRole('button', { name: tx.join, exact: true }).waitFor({ timeout: 10000 });
    // The pre-join screen is filled in once the client settings arrived; Join is enabled then.
    await page.waitForSelector('#join:not([disabled])', { timeout: 10000 });
    const link = await page.inputValue('#invite-link');
    if (link !== `${origin}${BASE}r/${room}`) fail(`invitation link ${link} is not the room URL`);

    // [client] camera_on_join = true, microphone_on_join default false.
    await until(`camera preview on by the server default (${lang})`, async () => ({
      ok: (await page.getAttribute('#pre-cam', 'aria-pressed')) === 'true' &&
        (await page.getAttribute('#pre-mic', 'aria-pressed')) === 'false' &&
        await page.evaluate(() => { const v = document.getElementById('preview-video'); return !!v.srcObject && v.videoWidth > 0; }),
    }), 10000);
    if ((await page.locator('#cam-select option').count()) < 1) fail('no camera in the device list');
    await page.click('#copy-link');
    await until('invitation link copied to the clipboard', async () => ({
      ok: (await page.evaluate(() => navigator.clipboard.readText().catch((e) => String(e)))) === link,
    }), 5000);
    await axeCheck(page, `pre-join (${lang})`);
    await page.screenshot({ path: screenshotPath(`prejoin-${lang}.png`) });

    await page.getByRole('button', { name: tx.privacy }).click();
    await until(`privacy notice rendered (${lang})`, async () => ({
      ok: (await page.locator('#privacy-list li').count()) >= 6,
      text: await page.textContent('#privacy-list'),
    }), 5000);
    const notice = await page.textContent('#privacy-list');
    if (/privacy\.[a-zA-Z]/.test(notice)) fail(`untranslated key in the privacy notice: ${notice}`);
    await axeCheck(page, `privacy notice (${lang})`);
    await page.keyboard.press('Escape');
    await until('privacy notice closed', async () => ({ ok: !(await page.evaluate(() => document.getElementById('privacy-dialog').open)) }), 5000);

    if (lang === 'en') {
      // The language switch is remembered across a reload.
      await page.getByRole('button', { name: tx.switchTo }).click();
      await page.getByRole('button', { name: TEXT.de.join, exact: true }).waitFor({ timeout: 5000 });
      await page.reload();
      await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      await page.getByRole('button', { name: TEXT.de.join, exact: true }).waitFor({ timeout: 5000 });
      await page.getByRole('button', { name: TEXT.de.switchTo }).click();
      await page.getByRole('button', { name: tx.join, exact: true }).waitFor({ timeout: 5000 });

      // Join with camera and microphone off; the name is remembered in this browser.
      await page.click('#pre-cam');
      await until('camera off', async () => ({ ok: (await page.getAttribute('#pre-cam', 'aria-pressed')) === 'false' }), 5000);
      await page.fill('#name', 'Dora Beispiel');
      await page.getByRole('button', { name: tx.join, exact: true }).click();
      await until('in the room with camera and microphone off', async () => ({
        ok: await page.evaluate(() => !document.getElementById('view-room').hidden &&
          !!document.querySelector('#tiles .tile.self') && !!window.plenumDebug?.publishPC &&
          window.plenumDebug.publishPC.connectionState === 'connected'),
      }), 15000);
      const initials = await page.textContent('#tiles .tile.self .initials');
      if (initials !== 'DB') fail(`initials placeholder shows "${initials}", not DB`);

      // max_participants = 2: Emil joins too (Dora sees his initials tile), a third person is told
      // the meeting is full, in words.
      // (Another browser profile, so Dora's remembered name stays hers.)
      const ctx2 = await state.browser.newContext({ permissions: ['camera', 'microphone'], locale: tx.locale });
      const emil = await ctx2.newPage();
      watchPage(emil, origin, 'Emil', problems);
      await emil.goto(`${origin}${BASE}r/${room}?name=Emil`);
      await emil.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      await emil.click('#pre-cam');
      await emil.getByRole('button', { name: tx.join, exact: true }).click();
      await until('Dora sees Emil\'s tile with initials', async () => ({
        ok: (await page.textContent('#tiles .tile:not(.self) .initials').catch(() => '')) === 'E',
      }), 10000);
      const other = await ctx2.newPage();
      watchPage(other, origin, 'third', problems);
      await other.goto(`${origin}${BASE}r/${room}?name=Fritz`);
      await other.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      await other.click('#pre-cam');
      await other.getByRole('button', { name: tx.join, exact: true }).click();
      await until('room-full explained on the pre-join screen', async () => ({
        ok: await other.evaluate(() => !document.getElementById('view-prejoin').hidden &&
          !document.getElementById('prejoin-error').hidden &&
          document.getElementById('prejoin-error').textContent === 'This meeting is full.'),
        text: await other.textContent('#prejoin-error'),
      }), 10000);
      await ctx2.close();
      await page.getByRole('button', { name: 'Leave' }).click();
      await page.goto(`${origin}${BASE}r/${room}`);
      await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
      await page.getByRole('button', { name: tx.join, exact: true }).waitFor({ timeout: 10000 });
      if ((await page.inputValue('#name')) !== 'Dora Beispiel') fail('the name was not remembered');
    }
    await ctx.close();
  }
  if (problems.length) fail(problems.join('\n'));
});
