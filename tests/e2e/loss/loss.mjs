// Tier 4, packet loss (issue 6). Run by run.sh inside a network namespace of its own; every
// nft command here goes through `ip netns exec $PLENUM_LOSS_NETNS`, so the host's ruleset is
// never touched. Two headless Chromium participants (tests/e2e/media/client.js) publish camera
// and microphone to each other through the real daemon. Then, in both directions at once:
//   1. 20 s of 5 % random UDP loss (nftables input hook: on loopback every datagram passes it
//      once, so publisher->server and server->subscriber both lose): the subscriber must decode
//      at least 95 % of the frames the publisher encoded in the same window;
//   2. a 5 s blackout (all UDP dropped): after it ends, the subscriber must decode 10 new frames
//      of each publisher within 2000 ms.
// The receiver's and the server's loss figures are printed. Deadlines only bound failures.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, until, startDaemon, launch, run } from '../web/lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ns = process.env.PLENUM_LOSS_NETNS;
const lossPercent = Number(process.env.PLENUM_LOSS_PERCENT || 5);
const lossSeconds = Number(process.env.PLENUM_LOSS_SECONDS || 20);
const blackoutMs = 5000;
const minRatio = 0.95;
const maxRecoveryMs = 2000;
const recoveryFrames = 10;

if (!ns) {
  console.error('FAIL: PLENUM_LOSS_NETNS unset: run tests/e2e/loss/run.sh, which makes the namespace');
  process.exit(1);
}

// Replaces the rules of the namespace's chain (run.sh made table and chain): a counter of all
// UDP, then `drop` (a percentage, 100 = blackout), or nothing.
function setLoss(percent) {
  let script = 'flush chain inet plenumloss in\n';
  if (percent > 0) {
    script += 'add rule inet plenumloss in meta l4proto udp counter\n';
    script += percent >= 100 ? 'add rule inet plenumloss in meta l4proto udp counter drop\n'
      : `add rule inet plenumloss in meta l4proto udp numgen random mod 100 < ${percent} counter drop\n`;
  }
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: script });
}

// [UDP datagrams seen, dropped] since the rules were set.
function lossCounters() {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'chain', 'inet', 'plenumloss', 'in'], { encoding: 'utf8' });
  const n = [...out.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
  return { seen: n[0] || 0, dropped: n[1] || 0 };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms)); // a measuring window, not a wait for a result

// The page's published video (outbound-rtp) and the video it receives from `peer` (inbound-rtp).
function pageVideo(page, peer) {
  return page.evaluate(async (who) => {
    const t = window.plenumTest;
    const o = { out: null, in: null };
    const pick = (s, keys) => Object.fromEntries(keys.map((k) => [k, s[k] ?? 0]));
    if (t.pub) (await t.pub.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video')
        o.out = pick(s, ['framesEncoded', 'framesSent', 'packetsSent', 'retransmittedPacketsSent',
          'nackCount', 'pliCount', 'frameWidth', 'framesPerSecond', 'targetBitrate']);
    });
    if (t.sub) (await t.sub.getStats()).forEach((s) => {
      const tr = t.subscribeTracks[s.mid];
      if (s.type === 'inbound-rtp' && s.kind === 'video' && tr && tr.participant === who)
        o.in = pick(s, ['framesDecoded', 'framesReceived', 'framesDropped', 'packetsReceived',
          'packetsLost', 'nackCount', 'pliCount', 'freezeCount', 'totalFreezesDuration', 'keyFramesDecoded']);
    });
    return o;
  }, peer);
}

async function metrics(origin) {
  const text = await (await fetch(origin + '/metrics')).text();
  const m = {};
  for (const [, k, v] of text.matchAll(/^plenum_media_(\w+)_total (\d+)$/gm)) m[k] = Number(v);
  return m;
}

const delta = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, typeof b[k] === 'number' ? +(b[k] - (a[k] || 0)).toFixed(3) : b[k]]));

await run('packet_loss', async (setDaemon) => {
  const daemon = await startDaemon();
  setDaemon(daemon);
  const { origin } = daemon;
  // The test page is fulfilled by Playwright, so Chromium cannot see it came from loopback.
  const browser = await launch(['--disable-features=LocalNetworkAccessChecks']);
  try {
    const clientJs = fs.readFileSync(path.join(here, '../media/client.js'), 'utf8');
    const names = ['Anna', 'Ben'];
    const pages = [];
    for (const name of names) {
      const ctx = await browser.newContext({ permissions: ['camera', 'microphone'] });
      const page = await ctx.newPage();
      page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}] ${m.text()}`); });
      await page.route(origin + '/__media_test/**', (route) => route.request().url().endsWith('.js')
        ? route.fulfill({ contentType: 'text/javascript', body: clientJs })
        : route.fulfill({ contentType: 'text/html', body: `<!doctype html><base href="${origin}/"><script src="/__media_test/client.js"></script>` }));
      await page.goto(origin + '/__media_test/index.html');
      pages.push(page);
    }
    const ids = [];
    for (let i = 0; i < pages.length; i++)
      ids.push(await pages[i].evaluate(([n]) => window.plenumTest.start('e2e-loss', n), [names[i]]));

    // Direction d: pages[d] publishes, pages[1 - d] receives it.
    const dirs = [0, 1].map((d) => ({ name: `${names[d]}->${names[1 - d]}`, pub: d, sub: 1 - d }));
    const snapshot = async () => {
      const [a, b] = await Promise.all([pageVideo(pages[0], ids[1]), pageVideo(pages[1], ids[0])]);
      const v = [a, b];
      return dirs.map((d) => ({ out: v[d.pub].out, in: v[d.sub].in }));
    };
    const decoded = (s) => s.map((x) => (x.in ? x.in.framesDecoded : 0));

    // Clean media first: 150 frames each way.
    await until('150 decoded frames in each direction before any loss', async () => {
      const s = await snapshot();
      return { ok: decoded(s).every((f) => f >= 150), decoded: decoded(s) };
    }, 60000);

    // A window's figures per direction; `ratio` is frames decoded / frames encoded.
    const report = (what, s0, s1) => dirs.map((d, i) => {
      if (!s0[i].out || !s0[i].in || !s1[i].out || !s1[i].in) fail(`${what} ${d.name}: a video stream is gone`);
      const out = delta(s0[i].out, s1[i].out);
      const inb = delta(s0[i].in, s1[i].in);
      const ratio = inb.framesDecoded / out.framesEncoded;
      console.log(`${what} ${d.name}: encoded ${out.framesEncoded} sent ${out.framesSent} decoded ${inb.framesDecoded} ` +
        `ratio ${ratio.toFixed(4)} | receiver packetsReceived ${inb.packetsReceived} packetsLost ${inb.packetsLost} ` +
        `nackCount ${inb.nackCount} pliCount ${inb.pliCount} freezeCount ${inb.freezeCount} ` +
        `totalFreezesDuration ${inb.totalFreezesDuration} s framesDropped ${inb.framesDropped} keyFramesDecoded ${inb.keyFramesDecoded} | ` +
        `sender packetsSent ${out.packetsSent} retransmittedPacketsSent ${out.retransmittedPacketsSent} ` +
        `nackCount ${out.nackCount} pliCount ${out.pliCount} width ${s1[i].out.frameWidth} fps ${s1[i].out.framesPerSecond}`);
      return { ...d, ratio, encoded: out.framesEncoded, decoded: inb.framesDecoded };
    });
    const serverReport = (what, m0, m1) => {
      const m = delta(m0, m1);
      console.log(`${what} server: rtp_in ${m.rtp_in} rtp_out ${m.rtp_out} nack_in ${m.nack_in} retransmits ${m.retransmits} ` +
        `retransmits_capped ${m.retransmits_capped} nack_out ${m.nack_out} rtx_repaired ${m.rtx_repaired} ` +
        `pli_in ${m.pli_in} pli_out ${m.pli_out} pli_suppressed ${m.pli_suppressed} rtp_dropped ${m.rtp_dropped}`);
    };

    // 1. Random loss for a measured window.
    const m0 = await metrics(origin);
    setLoss(lossPercent);
    const s0 = await snapshot();
    await sleep(lossSeconds * 1000);
    const s1 = await snapshot();
    const c = lossCounters();
    setLoss(0);
    await sleep(1100); // the server's counters are refreshed once a second
    const m1 = await metrics(origin);
    console.log(`${lossPercent} % loss for ${lossSeconds} s: nft dropped ${c.dropped} of ${c.seen} UDP datagrams ` +
      `(${(100 * c.dropped / Math.max(c.seen, 1)).toFixed(2)} %)`);
    const lossResult = report('loss', s0, s1);
    serverReport('loss', m0, m1);
    if (lossPercent > 0 && c.dropped === 0) fail('nftables dropped nothing: the loss was not applied');

    // Media flows cleanly again before the blackout.
    const s2 = await snapshot();
    await until('30 more frames each way after the loss ends', async () => {
      const s = await snapshot();
      return { ok: decoded(s).every((f, i) => f >= decoded(s2)[i] + 30), decoded: decoded(s) };
    }, 15000);

    // 2. Blackout: nothing may be decoded in its last 4 s, or it blacked nothing out.
    const m2 = await metrics(origin);
    const b0 = Date.now();
    setLoss(100);
    await sleep(1000);
    const sb1 = await snapshot();
    await sleep(b0 + blackoutMs - Date.now());
    const sb2 = await snapshot();
    const cb = lossCounters();
    setLoss(0);
    const t0 = Date.now();
    const base = decoded(sb2);
    const first = [null, null];
    const done = [null, null];
    let last;
    while (Date.now() - t0 < 15000 && done.some((x) => x === null)) {
      last = decoded(await snapshot());
      const ms = Date.now() - t0;
      last.forEach((f, i) => {
        if (first[i] === null && f > base[i]) first[i] = ms;
        if (done[i] === null && f >= base[i] + recoveryFrames) done[i] = ms;
      });
      await new Promise((r) => setTimeout(r, 100)); // polling interval
    }
    const s3 = await snapshot();
    await sleep(1100);
    const m3 = await metrics(origin);
    console.log(`blackout ${blackoutMs} ms: nft dropped ${cb.dropped} of ${cb.seen} UDP datagrams; ` +
      `decoded during its last 4 s: ${JSON.stringify(decoded(sb2).map((f, i) => f - decoded(sb1)[i]))}`);
    dirs.forEach((d, i) => console.log(`recovery ${d.name}: first new frame after ${first[i]} ms, ` +
      `${recoveryFrames} new frames after ${done[i]} ms`));
    report('blackout+recovery', sb2, s3);
    serverReport('blackout+recovery', m2, m3);

    // Verdicts, after all figures are printed.
    for (const r of lossResult)
      if (!(r.ratio >= minRatio))
        fail(`${r.name}: decoded ${r.decoded} of ${r.encoded} frames encoded under ${lossPercent} % loss ` +
          `(${r.ratio.toFixed(4)} < ${minRatio})`);
    if (decoded(sb2).some((f, i) => f - decoded(sb1)[i] > 2)) fail('frames were decoded during the blackout: it did not black out');
    dirs.forEach((d, i) => {
      if (done[i] === null || done[i] > maxRecoveryMs)
        fail(`${d.name}: ${recoveryFrames} new frames took ${done[i] ?? '> 15000'} ms after the blackout (limit ${maxRecoveryMs} ms); last ${JSON.stringify(last)} from ${JSON.stringify(base)}`);
    });
    const errors = [];
    for (const p of pages) errors.push(...await p.evaluate(() => window.plenumTest.errors));
    if (errors.length) fail('client errors: ' + JSON.stringify(errors));
  } finally {
    try { setLoss(0); } catch { /* the namespace goes anyway */ }
    await browser.close();
  }
});
