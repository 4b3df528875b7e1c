// The two RTCPeerConnections of docs/protocol.md: "publish" (we offer our microphone, camera and
// screen as sendonly transceivers, the server answers) and "subscribe" (the server offers the
// others' tracks, we answer). Negotiations are chained so two never overlap.
const PC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

export class Media {
  constructor(sig, hooks) {
    this.sig = sig;
    this.hooks = hooks; // { remoteTrack(mid, track, info), remoteGone(mid, info), localChanged(), failed() }
    this.pub = null;
    this.sub = null;
    this.tx = { microphone: null, camera: null, screen: null };
    this.tracks = { microphone: null, camera: null, screen: null };
    this.on = { microphone: false, camera: false, screen: false };
    this.deviceIds = { microphone: undefined, camera: undefined };
    this.subTracks = {};
    this.chain = Promise.resolve();
    this.config = PC_CONFIG;
    sig.on('subscribe', (m) => this.queue(() => this.onSubscribe(m)).catch(() => {}));
    sig.on('candidate', (m) => this.onCandidate(m));
    window.plenumDebug = this.debug = { publishPC: null, subscribePC: null, subscribeTracks: this.subTracks };
  }

  // Runs fn after every earlier negotiation; the returned promise rejects with fn's error (for
  // the caller to show), the chain itself goes on.
  queue(fn) {
    const run = this.chain.then(fn);
    this.chain = run.catch((e) => console.warn('media:', e));
    return run;
  }

  trickle(pc, name) {
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate)
        this.sig.send({ type: 'candidate', pc: name, candidate: e.candidate.candidate, mid: e.candidate.sdpMid });
      else if (!e.candidate)
        this.sig.send({ type: 'candidate', pc: name, end: true });
    };
  }

  async onCandidate(m) {
    const pc = m.pc === 'publish' ? this.pub : this.sub;
    if (!pc) return;
    try {
      if (m.end) await pc.addIceCandidate(null);
      else await pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.mid });
    } catch (e) { /* a candidate for an old description: harmless */ }
  }

  async getTrack(kind) {
    const constraints = kind === 'microphone'
      ? { audio: this.deviceIds.microphone ? { deviceId: { exact: this.deviceIds.microphone } } : true }
      : { video: { width: { ideal: 1280 }, height: { ideal: 720 },
          ...(this.deviceIds.camera ? { deviceId: { exact: this.deviceIds.camera } } : {}) } };
    const s = await navigator.mediaDevices.getUserMedia(constraints);
    return kind === 'microphone' ? s.getAudioTracks()[0] : s.getVideoTracks()[0];
  }

  // Joins the media plane: one publish PC with a microphone and a camera transceiver (their
  // tracks may be absent while off), so turning them on needs no renegotiation.
  start(initial, iceServers) {
    if (Array.isArray(iceServers) && iceServers.length) this.config = { ...PC_CONFIG, iceServers };
    return this.queue(async () => {
      if (this.pub) this.pub.close();
      this.pub = new RTCPeerConnection(this.config);
      this.debug.publishPC = this.pub;
      this.trickle(this.pub, 'publish');
      this.pub.onconnectionstatechange = () => {
        if (this.pub && this.pub.connectionState === 'failed' && this.hooks.failed) this.hooks.failed();
      };
      // A device that cannot be opened (denied, in use) stays off; we still join, publish the
      // rest and receive, and report the first such error to the caller afterwards.
      let deviceError = null;
      for (const kind of ['microphone', 'camera']) {
        let track = null;
        if (initial[kind]) {
          try { track = this.tracks[kind] || await this.getTrack(kind); } catch (e) { deviceError = deviceError || e; }
        } else if (this.tracks[kind]) {
          this.tracks[kind].stop();
        }
        this.tracks[kind] = track;
        this.on[kind] = !!track;
        this.tx[kind] = this.pub.addTransceiver(track || (kind === 'microphone' ? 'audio' : 'video'), { direction: 'sendonly' });
      }
      await this.publish();
      for (const kind of ['microphone', 'camera']) this.sendMute(kind);
      this.hooks.localChanged();
      if (deviceError) throw deviceError;
    });
  }

  async publish() {
    const offer = await this.pub.createOffer();
    await this.pub.setLocalDescription(offer);
    const tracks = Object.entries(this.tx)
      .filter(([, t]) => t && !t.stopped && t.mid !== null)
      .map(([source, t]) => ({ mid: t.mid, source }));
    const reply = await this.sig.request({ type: 'publish', sdp: this.pub.localDescription.sdp, tracks });
    await this.pub.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
  }

  sendMute(kind) {
    const t = this.tx[kind];
    if (t && t.mid !== null) this.sig.send({ type: 'mute', mid: t.mid, muted: !this.on[kind] });
  }

  // Microphone and camera: switching on takes the device and puts its track on the existing
  // transceiver (replaceTrack: no renegotiation); switching off takes the track off and releases
  // the device, so the browser's recording indicator goes out. `mute` tells the others.
  set(kind, on) {
    return this.queue(async () => {
      if (!this.tx[kind]) return;
      if (on && !this.tracks[kind]) {
        const track = await this.getTrack(kind);
        this.tracks[kind] = track;
        await this.tx[kind].sender.replaceTrack(track);
      } else if (!on && this.tracks[kind]) {
        await this.tx[kind].sender.replaceTrack(null);
        this.tracks[kind].stop();
        this.tracks[kind] = null;
      }
      this.on[kind] = on;
      this.sendMute(kind);
      this.hooks.localChanged();
    });
  }

  startScreen() {
    return this.queue(async () => {
      const s = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const track = s.getVideoTracks()[0];
      track.onended = () => this.stopScreen();
      this.tracks.screen = track;
      this.tx.screen = this.pub.addTransceiver(track, { direction: 'sendonly' });
      this.on.screen = true;
      await this.publish();
      this.hooks.localChanged();
    });
  }

  stopScreen() {
    return this.queue(async () => {
      if (!this.tx.screen) return;
      this.tracks.screen.onended = null;
      this.tracks.screen.stop();
      this.tx.screen.stop();
      this.tx.screen = null;
      this.tracks.screen = null;
      this.on.screen = false;
      await this.publish();
      this.hooks.localChanged();
    });
  }

  // The server's offer (docs/protocol.md "subscribe"): msg.tracks maps each mid to a participant
  // and source. An m-line may be reused for another track (same mid, new id), so tracks are handed
  // to the room after every negotiation from the transceivers, not only from ontrack.
  async onSubscribe(msg) {
    if (msg.restart && this.sub) {
      this.sub.close();
      this.sub = null;
      for (const [mid, old] of Object.entries(this.subTracks)) { delete this.subTracks[mid]; this.hooks.remoteGone(mid, old); }
    }
    if (!this.sub) {
      this.sub = new RTCPeerConnection(this.config);
      this.debug.subscribePC = this.sub;
      this.trickle(this.sub, 'subscribe');
    }
    const next = new Map((msg.tracks || []).map((t) => [t.mid, t]));
    for (const [mid, old] of Object.entries(this.subTracks)) {
      const now = next.get(mid);
      if (!now || now.id !== old.id || now.participant !== old.participant) {
        delete this.subTracks[mid];
        this.hooks.remoteGone(mid, old);
      }
    }
    const fresh = [];
    for (const tr of next.values()) {
      if (!this.subTracks[tr.mid]) fresh.push(tr);
      this.subTracks[tr.mid] = tr;
    }
    await this.sub.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await this.sub.setLocalDescription(await this.sub.createAnswer());
    this.sig.send({ type: 'subscribe-answer', revision: msg.revision, sdp: this.sub.localDescription.sdp });
    for (const tr of fresh) {
      const x = this.sub.getTransceivers().find((r) => r.mid === tr.mid);
      if (x && x.receiver.track) this.hooks.remoteTrack(tr.mid, x.receiver.track, tr);
    }
  }

  close() {
    for (const t of Object.values(this.tracks)) if (t) t.stop();
    if (this.pub) this.pub.close();
    if (this.sub) this.sub.close();
    this.pub = this.sub = null;
  }
}
