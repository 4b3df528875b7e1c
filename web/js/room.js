// In the room: participants and their tiles, chat, participant list, controls, keyboard
// shortcuts, reconnecting after a dropped connection, and the server's shutdown notice.
import { t } from './i18n.js';
import { Signaling } from './signaling.js';
import { Media } from './media.js';
import * as tiles from './tiles.js';
import { mediaErrorKey, serverErrorKey } from './errors.js';

const $ = (id) => document.getElementById(id);

export class Room {
  constructor(room, opts, ui) {
    this.room = room;
    this.opts = opts; // { name, microphone, camera, deviceIds }
    this.ui = ui; // { banner(text|null), left(), fatal(key, vars) }
    this.people = new Map();
    this.me = null;
    this.hand = false;
    this.retry = 0;
    this.leaving = false;
  }

  async enter() {
    this.sig = new Signaling();
    this.media = new Media(this.sig, {
      remoteTrack: (mid, track, info) => this.remoteTrack(mid, track, info),
      remoteGone: (mid) => this.remoteGone(mid),
      localChanged: () => this.localChanged(),
      failed: () => this.reconnect(),
    });
    this.media.deviceIds = this.opts.deviceIds || {};
    this.bindEvents();
    try {
      await this.sig.connect();
    } catch {
      return this.reconnect();
    }
    let joined;
    try {
      joined = await this.sig.request({ type: 'join', room: this.room, name: this.opts.name });
    } catch (e) {
      this.sig.close();
      return this.ui.fatal(serverErrorKey(e.code), { max: 64, code: e.code });
    }
    this.retry = 0;
    this.ui.banner(null);
    this.me = joined.participant;
    tiles.clear();
    this.people.clear();
    tiles.upsert(this.me, { name: this.opts.name, micOn: this.opts.microphone, cameraOn: this.opts.camera }, true);
    for (const p of joined.participants) this.addPerson(p);
    this.updateAlone();
    try {
      await this.media.start({ microphone: this.opts.microphone, camera: this.opts.camera });
    } catch (e) {
      this.ui.banner(t(mediaErrorKey(e)));
    }
  }

  bindEvents() {
    const s = this.sig;
    s.on('participant-joined', (m) => { this.addPerson(m.participant); this.updateAlone(); });
    s.on('participant-left', (m) => { this.people.delete(m.participant); tiles.remove(m.participant); this.renderPeople(); this.updateAlone(); });
    s.on('participant-updated', (m) => {
      if (m.participant.id === this.me) return;
      this.people.set(m.participant.id, m.participant);
      tiles.upsert(m.participant.id, m.participant);
      this.renderPeople();
    });
    s.on('track-updated', (m) => {
      const p = this.people.get(m.participant);
      if (!p) return;
      p.tracks = (p.tracks || []).map((tr) => (tr.id === m.track.id ? m.track : tr));
      tiles.upsert(p.id, p);
    });
    s.on('chat', (m) => this.addChat(m));
    s.on('server-shutdown', (m) => this.ui.banner(t('status.shutdown', { seconds: m.drainSeconds })));
    s.on('error', (m) => { if (m.code === 'media-failed' && m.pc === 'publish') this.reconnect(); });
    s.on('disconnected', () => this.reconnect());
  }

  addPerson(p) {
    this.people.set(p.id, p);
    tiles.upsert(p.id, p);
    this.renderPeople();
  }

  updateAlone() { $('alone').hidden = this.people.size > 0; }

  remoteTrack(mid, track, info) {
    if (!info) return;
    if (info.source === 'screen') {
      const p = this.people.get(info.participant);
      tiles.addScreen(mid, track, p ? p.name : '');
      return;
    }
    tiles.attach(info.participant, track, info.source);
  }

  remoteGone(mid) {
    tiles.removeScreen(mid);
  }

  localChanged() {
    const on = this.media.on;
    $('ctl-mic').setAttribute('aria-pressed', String(on.microphone));
    $('ctl-cam').setAttribute('aria-pressed', String(on.camera));
    $('ctl-screen').setAttribute('aria-pressed', String(on.screen));
    tiles.upsert(this.me, { micOn: on.microphone, cameraOn: on.camera }, true);
    tiles.setLocalVideo(this.me, this.media.tracks.camera);
  }

  async toggle(kind) {
    try {
      if (kind === 'screen') await (this.media.on.screen ? this.media.stopScreen() : this.media.startScreen());
      else await this.media.set(kind, !this.media.on[kind]);
    } catch (e) {
      this.ui.banner(t(mediaErrorKey(e)));
    }
  }

  toggleHand() {
    this.hand = !this.hand;
    $('ctl-hand').setAttribute('aria-pressed', String(this.hand));
    tiles.upsert(this.me, { hand: this.hand }, true);
    this.sig.send({ type: 'hand', raised: this.hand });
  }

  sendChat(text) {
    if (text.trim()) this.sig.send({ type: 'chat', text });
  }

  addChat(m) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = m.from === this.me ? t('room.you', { name: m.name }) : m.name;
    const text = document.createElement('span');
    text.textContent = m.text;
    li.append(who, text);
    $('chat-log').append(li);
    li.scrollIntoView({ block: 'end' });
  }

  renderPeople() {
    $('people-title').textContent = t('people.title', { count: this.people.size + 1 });
    const list = $('people-list');
    list.replaceChildren();
    const mine = { id: this.me, name: t('room.you', { name: this.opts.name }), hand: this.hand };
    for (const p of [mine, ...this.people.values()]) {
      const li = document.createElement('li');
      li.dataset.participant = p.id;
      li.textContent = p.name + (p.hand ? ' — ' + t('room.handRaised') : '');
      list.append(li);
    }
  }

  // Websocket or media connection lost: show it, tear down, and join again with backoff.
  reconnect() {
    if (this.leaving || this.reconnecting) return;
    this.reconnecting = true;
    this.ui.banner(t('status.reconnecting'));
    const keep = { microphone: this.media.on.microphone, camera: this.media.on.camera };
    this.media.close();
    this.sig.close();
    const delay = Math.min(10000, 500 * 2 ** this.retry++);
    setTimeout(async () => {
      this.reconnecting = false;
      this.opts.microphone = keep.microphone;
      this.opts.camera = keep.camera;
      await this.enter();
    }, delay);
  }

  leave() {
    this.leaving = true;
    this.sig.send({ type: 'leave' });
    this.media.close();
    setTimeout(() => this.sig.close(), 200);
    tiles.clear();
    this.ui.left();
  }
}
