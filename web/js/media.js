// The two RTCPeerConnections of docs/protocol.md: "publish" (we offer our microphone, camera and
// screen as sendonly transceivers, the server answers) and "subscribe" (the server offers the
// others' tracks, we answer). Negotiations are chained so two never overlap.
const PC_CONFIG = { bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

export class Media {
  constructor(sig, hooks) {
    this.sig = sig;
    this.hooks = hooks; // { remoteTrack(mid, track, info), remoteGone(mid), localChanged() }
    this.pub = null;
    this.sub = null;
    this.tx = { microphone: null, camera: null, screen: null };
    this.tracks = { microphone: null, camera: null, screen: null };
    this.on = { microphone: false, camera: false, screen: false };
    this.deviceIds = { microphone: undefined, camera: undefined };
    this.subTracks = {};
    this.chain = Promise.resolve();
    sig.on('subscribe', (m) => this.queue(() => this.onSubscribe(m)));
    sig.on('candidate', (m) => this.onCandidate(m));
    window.plenumDebug = this.debug = { publishPC: null, subscribePC: null, subscribeTracks: this.subTracks };
  }

  queue(fn) {
    this.chain = this.chain.then(fn).catch((e) => console.error('media:', e));
    return this.chain;
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
  start(initial) {
    return this.queue(async () => {
      this.pub = new RTCPeerConnection(PC_CONFIG);
      this.debug.publishPC = this.pub;
      this.trickle(this.pub, 'publish');
      this.pub.onconnectionstatechange = () => {
        if (this.pub && this.pub.connectionState === 'failed' && this.hooks.failed) this.hooks.failed();
      };
      for (const kind of ['microphone', 'camera']) {
        const track = initial[kind] ? (this.tracks[kind] || await this.getTrack(kind)) : null;
        this.tracks[kind] = track;
        this.on[kind] = !!track;
        this.tx[kind] = this.pub.addTransceiver(track || (kind === 'microphone' ? 'audio' : 'video'), { direction: 'sendonly' });
      }
      await this.publish();
      for (const kind of ['microphone', 'camera']) this.sendMute(kind);
      this.hooks.localChanged();
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

  // Microphone: the track stays, enabled or not. Camera: the device is released while off.
  set(kind, on) {
    return this.queue(async () => {
      if (kind === 'microphone') {
        if (on && !this.tracks.microphone) {
          this.tracks.microphone = await this.getTrack('microphone');
          await this.tx.microphone.sender.replaceTrack(this.tracks.microphone);
        }
        if (this.tracks.microphone) this.tracks.microphone.enabled = on;
      } else {
        if (on) {
          this.tracks.camera = await this.getTrack('camera');
          await this.tx.camera.sender.replaceTrack(this.tracks.camera);
        } else if (this.tracks.camera) {
          await this.tx.camera.sender.replaceTrack(null);
          this.tracks.camera.stop();
          this.tracks.camera = null;
        }
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

  async onSubscribe(msg) {
    if (msg.restart && this.sub) { this.sub.close(); this.sub = null; }
    if (!this.sub) {
      this.sub = new RTCPeerConnection(PC_CONFIG);
      this.debug.subscribePC = this.sub;
      this.trickle(this.sub, 'subscribe');
      this.sub.ontrack = (e) => {
        const mid = e.transceiver.mid;
        e.track.onended = () => this.hooks.remoteGone(mid);
        this.hooks.remoteTrack(mid, e.track, this.subTracks[mid]);
      };
    }
    // Ended tracks leave the list; a reused m-line (same mid, another track) ends the old one.
    const next = new Map(msg.tracks.map((t) => [t.mid, t]));
    for (const [mid, old] of Object.entries(this.subTracks)) {
      const now = next.get(mid);
      if (!now || now.id !== old.id) { delete this.subTracks[mid]; this.hooks.remoteGone(mid); }
    }
    for (const t of msg.tracks) this.subTracks[t.mid] = t;
    await this.sub.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await this.sub.setLocalDescription(await this.sub.createAnswer());
    this.sig.send({ type: 'subscribe-answer', revision: msg.revision, sdp: this.sub.localDescription.sdp });
  }

  close() {
    for (const t of Object.values(this.tracks)) if (t) t.stop();
    if (this.pub) this.pub.close();
    if (this.sub) this.sub.close();
    this.pub = this.sub = null;
  }
}
