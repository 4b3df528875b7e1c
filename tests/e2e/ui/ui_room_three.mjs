// Tier 4 (issue 4): three people meet through the real web client as a user would: open the
// room link with ?name=, switch camera and microphone on in the pre-join screen, press Join.
// - each sees the other two tiles (by name), each decoding video: framesDecoded >= 150 per remote
//   participant, read from window.plenumDebug.subscribePC.getStats() and mapped to participants
//   with the subscribe offer's tracks (window.plenumDebug.subscribeTracks), and the tile's <video>
//   has frames; the participant list shows three people;
// - a chat message reaches both others (and the note that chat is not stored is shown);
// - muting a microphone (button) shows the muted mark on the others' tiles; the "v" shortcut turns
//   the camera off and the others see the camera-off mark; a raised hand shows for the others;
// - a screen share appears for the others as a large tile naming who shares;
// - leaving removes the tile for the others;
// - axe-core in the room (English and German): no serious or critical violation;
// - every request goes to the daemon's own origin; no CSP violation or page error;
// - screenshot build/screenshots/room-three.png.
import { startDaemon, launch, watchPage, axeCheck, until, fail, run, screenshotPath } from './lib.mjs';

const ROOM = 'ui-three';
const NAMES = ['Anna', 'Ben', 'Cleo'];

// Per remote participant (by id): decoded camera frames; plus the ids whose tiles are shown.
async function view(page) {
  return page.evaluate(async () => {
    const d = window.plenumDebug;
    const frames = {};
    if (d && d.subscribePC) {
      (await d.subscribePC.getStats()).forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        const tr = d.subscribeTracks[s.mid];
        if (tr && tr.source === 'camera') frames[tr.participant] = Math.max(frames[tr.participant] || 0, s.framesDecoded || 0);
      });
    }
    const tiles = [...document.querySelectorAll('#tiles .tile:not(.self)')].map((t) => ({
      id: t.dataset.participant, name: t.querySelector('.name')?.textContent,
      playing: (t.querySelector('video')?.videoWidth || 0) > 0,
    }));
    return { frames, tiles };
  });
}

const tileOf = (name) => `#tiles .tile:not(.self):has(.name:text-is("${name}"))`;

await run('ui_room_three', async (state) => {
  state.daemon = await startDaemon();
  const { origin } = state.daemon;
  state.browser = await launch();
  const problems = [];
  const pages = [];
  for (const name of NAMES) {
    const ctx = await state.browser.newContext({ permissions: ['camera', 'microphone'], locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    watchPage(page, origin, name, problems);
    await page.goto(`${origin}/r/${ROOM}?name=${name}`);
    await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
    await page.getByRole('button', { name: 'Join', exact: true }).waitFor({ timeout: 10000 });
    if ((await page.inputValue('#name')) !== name) fail(`?name= did not pre-fill ${name}`);
    // Shipped default: both off; the person switches them on.
    for (const id of ['#pre-mic', '#pre-cam']) {
      if ((await page.getAttribute(id, 'aria-pressed')) !== 'false') fail(`${id} is not off by default`);
      await page.click(id);
    }
    await until(`${name}: preview running`, async () => ({
      ok: await page.evaluate(() => (document.getElementById('preview-video').videoWidth || 0) > 0),
    }), 10000);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    pages.push(page);
  }

  const res = await until('each page: two remote tiles by name, each with >= 150 decoded frames and a playing video', async () => {
    const all = [];
    let ok = true;
    for (let i = 0; i < pages.length; i++) {
      const v = await view(pages[i]);
      all.push(v);
      const others = NAMES.filter((_, j) => j !== i);
      if (v.tiles.length !== 2 || !others.every((n) => v.tiles.some((t) => t.name === n && t.playing && (v.frames[t.id] || 0) >= 150))) ok = false;
    }
    return { ok, all };
  }, 60000);
  for (let i = 0; i < pages.length; i++)
    console.log(`${NAMES[i]} decodes ${res.all[i].tiles.map((t) => `${t.name}: ${res.all[i].frames[t.id]} frames`).join(', ')}`);

  // Participant list: everyone who receives media is listed.
  await pages[2].getByRole('button', { name: 'Participants' }).click();
  await until('participant list shows three', async () => ({ ok: (await pages[2].locator('#people-list li').count()) === 3 }), 5000);

  // Chat: Anna writes, Ben and Cleo read it.
  await pages[0].getByRole('button', { name: 'Chat', exact: true }).click();
  if (!(await pages[0].textContent('#chat-panel')).includes('not stored')) fail('the chat panel does not say messages are not stored');
  await pages[0].getByRole('textbox', { name: 'Message' }).fill('Hallo zusammen');
  await pages[0].getByRole('button', { name: 'Send' }).click();
  for (const p of pages.slice(1)) {
    await until('chat message reaches the others', async () => ({
      ok: await p.evaluate(() => [...document.querySelectorAll('#chat-log li')].some((li) => li.textContent.includes('Anna') && li.textContent.includes('Hallo zusammen'))),
    }), 10000);
  }

  // Anna mutes her microphone with the button: the others see the mark on her tile.
  await pages[0].getByRole('button', { name: 'Microphone' }).click();
  await until('microphone button no longer pressed', async () => ({ ok: (await pages[0].getAttribute('#ctl-mic', 'aria-pressed')) === 'false' }), 5000);
  for (const p of pages.slice(1))
    await until('muted mark on Anna\'s tile for the others', async () => ({ ok: (await p.locator(`${tileOf('Anna')} .muted-mic`).count()) === 1 }), 10000);

  // Cleo presses "v" (focus not in a text field): camera off, the others see it; she raises her hand.
  await pages[2].locator('body').focus();
  await pages[2].keyboard.press('v');
  await pages[2].getByRole('button', { name: 'Raise hand' }).click();
  for (const p of pages.slice(0, 2)) {
    await until('camera-off mark and raised hand on Cleo\'s tile', async () => ({
      ok: (await p.locator(`${tileOf('Cleo')} .camera-off`).count()) === 1 && (await p.locator(`${tileOf('Cleo')} .hand`).count()) === 1,
    }), 10000);
  }

  // Ben shares his screen: a large tile naming him appears for the others, with frames.
  await pages[1].getByRole('button', { name: 'Share screen' }).click();
  for (const p of [pages[0], pages[2]]) {
    await until('screen share tile with video for the others', async () => ({
      ok: await p.evaluate(() => {
        const t = document.querySelector('#screen-area .tile.screen');
        return !!t && t.textContent.includes('Ben') && (t.querySelector('video').videoWidth || 0) > 0;
      }),
    }), 20000);
  }

  await axeCheck(pages[0], 'room (en)');
  await pages[0].screenshot({ path: screenshotPath('room-three.png') });
  await pages[0].getByRole('button', { name: 'Deutsch' }).click();
  await pages[0].getByRole('button', { name: 'Verlassen' }).waitFor({ timeout: 5000 });
  await axeCheck(pages[0], 'room (de)');
  await pages[0].getByRole('button', { name: 'English' }).click();

  // Cleo leaves: her tile disappears for the others; she sees the "left" page.
  await pages[2].getByRole('button', { name: 'Leave' }).click();
  for (const p of pages.slice(0, 2))
    await until('Cleo\'s tile removed for the others', async () => ({ ok: (await p.locator(tileOf('Cleo')).count()) === 0 }), 10000);
  await until('Cleo sees she left', async () => ({ ok: await pages[2].evaluate(() => !document.getElementById('view-left').hidden) }), 5000);

  if (problems.length) fail(problems.join('\n'));
});
