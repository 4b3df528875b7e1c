// Tier 4: a room of 65 with cameras on, seen through the real web client. 64 participants publish
// microphone and camera (a captured Chromium offer, tests/fixtures/sdp/chromium-publish-offer.sdp,
// sent over websockets of their own; their ICE never completes, which the server tolerates for
// 30 s, longer than this test needs). Then one person joins through the web client: its
// subscribe PeerConnection gets the largest offer the server writes (128 m-lines), and Chromium's
// answer to it (about 85 KB of SDP) must be accepted. The server accepting the answer is what lets
// ICE and DTLS complete, so the check is: 64 remote tiles, 128 receiving transceivers, the
// PeerConnection connected, no error banner. A 65th publisher is one too many for 128 m-lines:
// the server says so in its log, once per session, and the page stays connected.
// Before the SDP and websocket limits were sized for 128 m-lines, the answer was refused
// (invalid-sdp: more than 1000 lines).
import fs from 'node:fs';
import path from 'node:path';
import { source, startDaemon, launch, until, fail, run } from './lib.mjs';

const OFFER = fs.readFileSync(path.join(source, 'tests/fixtures/sdp/chromium-publish-offer.sdp'), 'utf8');
const TRACKS = [{ mid: '0', source: 'microphone' }, { mid: '1', source: 'camera' }];
const ROOM = 'large-room-e2e';
const PUBLISHERS = 64;

// Opens publishers first..last-1 from a page of the server's origin (so the Origin check applies);
// resolves when each has its publish-answer.
async function publish(page, first, last) {
  return page.evaluate(async ([first, last, offer, tracks, room]) => {
    window.pubs = window.pubs || [];
    const one = (i) => new Promise((resolve, reject) => {
      const ws = new WebSocket(new URL('ws', location.href).href.replace(/^http/, 'ws'));
      window.pubs.push(ws);
      ws.onmessage = (ev) => {
        const m = JSON.parse(ev.data);
        if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
        else if (m.type === 'joined') ws.send(JSON.stringify({ type: 'publish', id: 2, sdp: offer, tracks }));
        else if (m.type === 'publish-answer') resolve(i);
        else if (m.type === 'error') reject(new Error(`publisher ${i}: ${m.code}: ${m.message}`));
      };
      ws.onopen = () => ws.send(JSON.stringify({ type: 'join', id: 1, room, name: 'P' + i }));
      ws.onerror = () => reject(new Error(`publisher ${i}: websocket error`));
    });
    let n = 0;
    for (let i = first; i < last; i++) { await one(i); n++; }
    return n;
  }, [first, last, OFFER, TRACKS, ROOM]);
}

async function viewerState(page) {
  return page.evaluate(() => {
    const pc = window.plenumDebug && window.plenumDebug.subscribePC;
    const banner = document.getElementById('banner');
    return {
      tiles: document.querySelectorAll('#tiles .tile:not(.self)').length,
      receiving: pc ? pc.getTransceivers().filter((t) => t.currentDirection === 'recvonly').length : 0,
      mlines: pc && pc.remoteDescription ? (pc.remoteDescription.sdp.match(/^m=/gm) || []).length : 0,
      answerBytes: pc && pc.localDescription ? pc.localDescription.sdp.length : 0,
      state: pc ? pc.connectionState : null,
      error: banner && !banner.hidden && banner.className.includes('error') ? banner.textContent : null,
    };
  });
}

await run('web large_room', async (setDaemon) => {
  const d = await startDaemon('[rooms]\nmax_participants = 100\n');
  setDaemon(d);
  const browser = await launch();
  try {
    const pubPage = await (await browser.newContext()).newPage();
    await pubPage.goto(d.origin + '/');
    const n = await publish(pubPage, 0, PUBLISHERS);
    if (n !== PUBLISHERS) fail(`${n} of ${PUBLISHERS} publishers got a publish-answer`);

    const ctx = await browser.newContext({ permissions: ['camera', 'microphone'], locale: 'en-US' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.log(`[viewer] page error: ${e.message}`));
    await page.goto(`${d.origin}/r/${ROOM}?name=Viewer`);
    await page.waitForSelector('#join:not([disabled])', { timeout: 10000 }); // pre-join set up
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    const s = await until('64 remote tiles, 128 receiving transceivers, the subscribe PeerConnection connected', async () => {
      const v = await viewerState(page);
      if (v.error) fail('error banner: ' + v.error);
      return { ok: v.tiles === PUBLISHERS && v.receiving === 2 * PUBLISHERS && v.mlines === 2 * PUBLISHERS &&
        v.state === 'connected', ...v };
    }, 60000);
    console.log(`viewer: ${s.tiles} tiles, ${s.mlines} m-lines offered, ${s.receiving} receiving, answer ${s.answerBytes} bytes, ${s.state}`);
    if (/more than \d+ lines|invalid-sdp/.test(d.log())) fail('the server refused an SDP');

    // One more publisher: its tracks do not fit the viewer's 128 m-lines.
    if (await publish(pubPage, PUBLISHERS, PUBLISHERS + 1) !== 1) fail('the 65th publisher did not publish');
    await until('the server logs the m-line cap', async () => ({
      ok: /receives 128 tracks, the most one PeerConnection carries/.test(d.log()),
    }), 15000);
    const after = await viewerState(page);
    if (after.state !== 'connected' || after.error || after.receiving !== 2 * PUBLISHERS)
      fail('after the 65th publisher: ' + JSON.stringify(after));
    // Once per session: the viewer, and the 65th publisher itself when the viewer publishes too.
    const sessions = [...d.log().matchAll(/session (\S+): receives 128 tracks/g)].map((m) => m[1]);
    if (new Set(sessions).size !== sessions.length) fail('the cap was logged twice for one session: ' + sessions.join(' '));
    console.log(`65th publisher: not offered to the viewer; the cap logged for ${sessions.length} session(s), once each; viewer still connected`);
  } finally {
    await browser.close();
  }
});
