// In the room: the session (join, participants, chat, hand, leave), reconnecting with backoff
// after a dropped connection, and the server's shutdown notice. Tiles, chat panel and controls
// are drawn by tiles.js, chat.js and controls.js.
import { t } from './i18n.js';
import { Signaling } from './signaling.js';
import { Media } from './media.js';
import { Chat } from './chat.js';
import { bindControls, showState, closePanels } from './controls.js';
import * as tiles from './tiles.js';
import { watch, unwatch } from './audio-level.js';
import { mediaErrorKey, serverErrorKey } from './errors.js';

const $ = (id) => document.getElementById(id);
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000];
// Server errors that leave this person without (some) audio and video.
const MEDIA_ERRORS = ['invalid-sdp', 'unsupported-sdp', 'media-unavailable', 'internal'];

export class Room {
  constructor(room, opts, client, ui) {
    this.room = room;
    this.opts = opts; // { name, microphone, camera, deviceIds }
    this.client = client; // GET api/client
    this.ui = ui; // { banner(i18n key|null, vars, kind), left(), fatal(key, vars) }
    this.people = new Map(); // participant id -> { id, name, hand, tracks }
    this.me = null;
    this.hand = false;
    this.retry = 0;
    this.joinedOnce = false;
    this.leaving = false;
    this.shutdown = false;
    this.chat = new Chat((text) => this.sig.request({ type: 'chat', text }).catch((e) => this.showError(e)),
      client.maxChatLength);
    bindControls(this);
  }

  async enter() {
    this.sig = new Signaling();
    this.media = new Media(this.sig, {
      remoteTrack: (mid, track, info) => this.remoteTrack(mid, track, info),
      remoteGone: (mid, info) => this.remoteGone(mid, info),
      localChanged: () => this.localChanged(),
      failed: () => this.reconnect(),
    });
    this.media.deviceIds = this.opts.deviceIds || {};
    this.bindEvents();
    try {
      await this.sig.connect();
    } catch (e) {
      // Never got in: the server is unreachable or full. Once in, a lost connection is retried.
      if (!this.joinedOnce) return this.ui.fatal(serverErrorKey(e.code));
      return this.reconnect(e.code === 'server-full' ? 'status.serverFull' : undefined);
    }
    let joined;
    try {
      joined = await this.sig.request({ type: 'join', room: this.room, name: this.opts.name });
    } catch (e) {
      this.sig.close();
      if (this.joinedOnce && e.code !== 'room-full' && e.code !== 'draining') return this.reconnect();
      return this.ui.fatal(serverErrorKey(e.code), { max: this.client.maxNameLength || 64, code: e.code || e.message });
    }
    this.joinedOnce = true;
    this.retry = 0;
    if (!this.shutdown) this.ui.banner(null);
    this.me = joined.participant;
    this.chat.me = this.me;
    tiles.clear();
    this.people.clear();
    tiles.upsert(this.me, { name: this.opts.name, micOn: this.opts.microphone, cameraOn: this.opts.camera }, true);
    for (const p of joined.participants) this.addPerson(p, false);
    this.renderPeople();
    this.updateAlone();
    $('room-title').textContent = t('prejoin.room', { room: this.room });
    try {
      await this.media.start({ microphone: this.opts.microphone, camera: this.opts.camera }, joined.iceServers);
    } catch (e) {
      // A device failed (we are in the room with it off) or the publish was refused.
      this.ui.banner(mediaErrorKey(e), { code: e.code || e.name || e.message }, 'error');
    }
  }

  bindEvents() {
    const s = this.sig;
    s.on('participant-joined', (m) => { this.addPerson(m.participant, true); this.updateAlone(); });
    s.on('participant-left', (m) => {
      const p = this.people.get(m.participant);
      this.people.delete(m.participant);
      tiles.remove(m.participant);
      this.renderPeople();
      this.updateAlone();
      if (p) this.announce(t('room.personLeft', { name: p.name }));
    });
    s.on('participant-updated', (m) => {
      if (m.participant.id === this.me) return;
      const before = this.people.get(m.participant.id);
      this.people.set(m.participant.id, m.participant);
      tiles.upsert(m.participant.id, m.participant);
      this.renderPeople();
      if (m.participant.hand && !(before && before.hand)) this.announce(t('room.personHand', { name: m.participant.name }));
    });
    s.on('track-updated', (m) => {
      const p = this.people.get(m.participant);
      if (!p) return;
      const tracks = p.tracks || [];
      p.tracks = tracks.some((tr) => tr.id === m.track.id)
        ? tracks.map((tr) => (tr.id === m.track.id ? m.track : tr)) : [...tracks, m.track];
      tiles.upsert(p.id, p);
    });
    s.on('chat', (m) => this.chat.add(m, this.opts.name));
    s.on('server-shutdown', (m) => {
      this.shutdown = true;
      this.ui.banner('status.shutdown', { seconds: m.drainSeconds }, 'warning');
    });
    s.on('error', (m) => {
      if (m.code === 'media-failed' && m.pc === 'publish') this.reconnect();
      else if (m.code !== 'media-failed') this.showError(m);
    });
    s.on('disconnected', () => this.reconnect());
  }

  showError(e) {
    if (e.code === 'rate-limited') this.ui.banner('error.rateLimited', {}, 'warning');
    else if (e.code === 'invalid-chat') this.ui.banner('error.invalidChat', { max: this.client.maxChatLength || 2000 }, 'warning');
    // The server refused or could not serve our media negotiation: say so instead of waiting.
    else if (MEDIA_ERRORS.includes(e.code)) this.ui.banner('error.media', { code: e.code }, 'error');
  }

  announce(text) { $('announce').textContent = text; }

  addPerson(p, announce) {
    this.people.set(p.id, p);
    tiles.upsert(p.id, p);
    this.renderPeople();
    if (announce) this.announce(t('room.personJoined', { name: p.name }));
  }

  updateAlone() { $('alone').hidden = this.people.size > 0; }

  remoteTrack(mid, track, info) {
    if (info.source === 'screen') {
      const p = this.people.get(info.participant);
      tiles.addScreen(mid, track, p ? p.name : '');
    } else if (info.source === 'camera' || info.source === 'microphone') {
      tiles.attach(info.participant, track);
    }
  }

  remoteGone(mid, info) {
    tiles.removeScreen(mid);
    if (info && info.source !== 'screen') tiles.detach(info.participant, info.kind);
  }

  localChanged() {
    const on = this.media.on;
    showState({ ...on, hand: this.hand });
    tiles.upsert(this.me, { micOn: on.microphone, cameraOn: on.camera }, true);
    tiles.setLocalVideo(this.me, this.media.tracks.camera);
    tiles.setLocalScreen(this.media.tracks.screen);
    // Our own speaking indicator: the microphone level while it is on.
    if (on.microphone && this.media.tracks.microphone) {
      if (this.localMic !== this.media.tracks.microphone) {
        this.localMic = this.media.tracks.microphone;
        watch('self', this.localMic, (speaking) => tiles.speaking(this.me, speaking));
      }
    } else {
      this.localMic = null;
      unwatch('self');
      tiles.speaking(this.me, false);
    }
  }

  async toggle(kind) {
    if (!this.media || !this.media.pub) return;
    try {
      if (kind === 'screen') await (this.media.on.screen ? this.media.stopScreen() : this.media.startScreen());
      else await this.media.set(kind, !this.media.on[kind]);
    } catch (e) {
      // Cancelling the screen picker is not an error worth a banner.
      if (kind === 'screen' && e.name === 'NotAllowedError') return;
      this.ui.banner(mediaErrorKey(e), { code: e.name || e.message }, 'error');
    }
  }

  toggleHand() {
    this.hand = !this.hand;
    showState({ ...this.media.on, hand: this.hand });
    tiles.upsert(this.me, { hand: this.hand }, true);
    this.sig.send({ type: 'hand', raised: this.hand });
    this.renderPeople();
  }

  panelOpened(name) {
    if (name === 'chat') this.chat.opened();
    else $('people-close').focus();
  }

  renderPeople() {
    $('people-title').textContent = t('people.title', { count: this.people.size + 1 });
    const list = $('people-list');
    list.replaceChildren();
    const mine = { id: this.me, name: t('room.you', { name: this.opts.name }), hand: this.hand };
    for (const p of [mine, ...this.people.values()]) {
      const li = document.createElement('li');
      li.dataset.participant = p.id;
      const n = document.createElement('span');
      n.textContent = p.name;
      li.append(n);
      if (p.hand) {
        const h = document.createElement('span');
        h.className = 'hand';
        h.textContent = t('room.handRaised');
        li.append(' ', h);
      }
      list.append(li);
    }
  }

  rerender() {
    tiles.rerenderAll();
    this.renderPeople();
    this.chat.renderBadge();
    $('room-title').textContent = t('prejoin.room', { room: this.room });
  }

  // Websocket or sending connection lost: say so, tear down, and join again with backoff.
  reconnect(why = 'status.reconnecting') {
    if (this.leaving || this.reconnecting) return;
    this.reconnecting = true;
    if (!this.shutdown) this.ui.banner(why, {}, 'warning');
    $('view-room').classList.add('reconnecting');
    const keep = { microphone: this.media.on.microphone, camera: this.media.on.camera };
    this.media.close();
    this.sig.close();
    unwatch('self');
    this.localMic = null;
    const delay = BACKOFF_MS[Math.min(this.retry++, BACKOFF_MS.length - 1)];
    this.timer = setTimeout(async () => {
      this.reconnecting = false;
      $('view-room').classList.remove('reconnecting');
      this.opts.microphone = keep.microphone;
      this.opts.camera = keep.camera;
      this.hand = false;
      await this.enter();
    }, delay);
  }

  async leave() {
    this.leaving = true;
    clearTimeout(this.timer);
    this.media.close();
    unwatch('self');
    // Wait (briefly) for "left" so the others see us go at once; the server closes the socket.
    await Promise.race([this.sig.request({ type: 'leave' }).catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
    this.sig.close();
    tiles.clear();
    this.chat.clear();
    closePanels();
    this.ui.banner(null);
    this.ui.left();
  }
}
