// Minimal protocol client used by the media-plane browser test (tests/e2e/media/three_party.mjs):
// joins a room, publishes camera and microphone on one RTCPeerConnection, answers the server's
// subscribe offers on a second, trickles candidates both ways (docs/protocol.md). It exposes
// window.plenumTest for the test to read getStats(). The real web client lives in web/.
(() => {
  const t = {
    log: [], events: [], pub: null, sub: null, ws: null, participant: null,
    remoteTracks: [], errors: [], subscribeTracks: {},
  };
  window.plenumTest = t;
  let nextId = 1;
  const pending = new Map();

  function send(obj) { t.ws.send(JSON.stringify(obj)); }
  function request(obj) {
    const id = nextId++;
    obj.id = id;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      send(obj);
    });
  }

  async function onSubscribe(msg) {
    if (!t.sub) {
      t.sub = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
      t.sub.onicecandidate = (e) => {
        if (e.candidate && e.candidate.candidate)
          send({ type: 'candidate', pc: 'subscribe', candidate: e.candidate.candidate, mid: e.candidate.sdpMid });
        else if (!e.candidate)
          send({ type: 'candidate', pc: 'subscribe', end: true });
      };
      t.sub.ontrack = (e) => { t.remoteTracks.push({ mid: e.transceiver.mid, kind: e.track.kind }); };
    }
    for (const mid of Object.keys(t.subscribeTracks)) delete t.subscribeTracks[mid];
    for (const tr of msg.tracks) t.subscribeTracks[tr.mid] = tr;
    await t.sub.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    const answer = await t.sub.createAnswer();
    await t.sub.setLocalDescription(answer);
    send({ type: 'subscribe-answer', revision: msg.revision, sdp: t.sub.localDescription.sdp });
  }

  async function publish() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
    t.pub = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    t.pub.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate)
        send({ type: 'candidate', pc: 'publish', candidate: e.candidate.candidate, mid: e.candidate.sdpMid });
      else if (!e.candidate)
        send({ type: 'candidate', pc: 'publish', end: true });
    };
    const labels = [];
    for (const track of stream.getTracks()) {
      const tr = t.pub.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      labels.push({ tr, source: track.kind === 'audio' ? 'microphone' : 'camera' });
    }
    const offer = await t.pub.createOffer();
    await t.pub.setLocalDescription(offer);
    const tracks = labels.map((l) => ({ mid: l.tr.mid, source: l.source }));
    const reply = await request({ type: 'publish', sdp: t.pub.localDescription.sdp, tracks });
    await t.pub.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
  }

  t.start = (room, name) => new Promise((resolve, reject) => {
    t.ws = new WebSocket(new URL('ws', document.baseURI).href.replace(/^http/, 'ws'));
    t.ws.onmessage = async (ev) => {
      const msg = JSON.parse(ev.data);
      t.events.push(msg.type);
      try {
        if (msg.id !== undefined && pending.has(msg.id)) {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          if (msg.type === 'error') p.reject(new Error(msg.code + ': ' + msg.message));
          else p.resolve(msg);
          return;
        }
        if (msg.type === 'ping') send({ type: 'pong' });
        else if (msg.type === 'subscribe') await onSubscribe(msg);
        else if (msg.type === 'candidate') {
          const pc = msg.pc === 'publish' ? t.pub : t.sub;
          if (pc && msg.candidate) await pc.addIceCandidate({ candidate: msg.candidate, sdpMid: msg.mid });
          else if (pc && msg.end) await pc.addIceCandidate(null).catch(() => {});
        } else if (msg.type === 'error') t.errors.push(msg);
      } catch (e) {
        t.errors.push(String(e));
      }
    };
    t.ws.onopen = async () => {
      try {
        const joined = await request({ type: 'join', room, name });
        t.participant = joined.participant;
        await publish();
        resolve(joined.participant);
      } catch (e) { reject(e); }
    };
    t.ws.onerror = () => reject(new Error('websocket error'));
  });

  // Per remote participant: frames decoded (video) and audio packets received, plus the cipher.
  t.stats = async () => {
    const out = { video: {}, audio: {}, srtpCipher: null, outgoing: null, videoCodec: null };
    if (t.sub) {
      const r = await t.sub.getStats();
      r.forEach((s) => {
        if (s.type === 'inbound-rtp') {
          const tr = t.subscribeTracks[s.mid];
          const who = tr ? tr.participant : s.mid;
          if (s.kind === 'video') {
            out.video[who] = s.framesDecoded || 0;
            const c = s.codecId && r.get(s.codecId);
            if (c) out.videoCodec = c.mimeType;
          }
          else out.audio[who] = s.packetsReceived || 0;
        }
        if (s.type === 'transport' && s.srtpCipher) out.srtpCipher = s.srtpCipher;
      });
    }
    if (t.pub) {
      const r = await t.pub.getStats();
      r.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded')
          out.outgoing = s.availableOutgoingBitrate || out.outgoing;
        if (s.type === 'transport' && s.srtpCipher) out.pubCipher = s.srtpCipher;
      });
    }
    return out;
  };
  t.leave = () => { send({ type: 'leave' }); };
})();
