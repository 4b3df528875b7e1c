// The tile grid: one tile per participant (video or initials, name, muted and hand marks,
// speaking border) and a large tile per shared screen.
import { t } from './i18n.js';
import { watch, unwatch } from './audio-level.js';

const tiles = new Map(); // participant id -> { el, video, audio, info }
const screens = new Map(); // mid -> el

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join('') || '?';
}

function make(id, info, self) {
  const el = document.createElement('div');
  el.className = 'tile' + (self ? ' self' : '');
  el.dataset.participant = id;
  el.setAttribute('role', 'group');
  const ini = document.createElement('div');
  ini.className = 'initials';
  ini.setAttribute('aria-hidden', 'true');
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  video.hidden = true;
  const label = document.createElement('div');
  label.className = 'label';
  el.append(ini, video, label);
  document.getElementById('tiles').append(el);
  const tile = { el, video, audio: null, info, self, ini, label };
  tiles.set(id, tile);
  render(id);
  return tile;
}

export function upsert(id, info, self = false) {
  const tile = tiles.get(id) || make(id, info, self);
  tile.info = { ...tile.info, ...info };
  render(id);
}

function trackState(info, kind) {
  const tr = (info.tracks || []).find((x) => x.kind === kind && x.source !== 'screen');
  return tr ? !tr.muted : false;
}

export function render(id) {
  const tile = tiles.get(id);
  if (!tile) return;
  const { info } = tile;
  const name = tile.self ? t('room.you', { name: info.name }) : info.name;
  tile.ini.textContent = initials(info.name || '');
  const camOn = tile.self ? !!info.cameraOn : trackState(info, 'video') && !!tile.video.srcObject;
  const micOn = tile.self ? !!info.micOn : trackState(info, 'audio');
  tile.video.hidden = !camOn;
  tile.ini.hidden = camOn;
  tile.label.replaceChildren();
  const n = document.createElement('span');
  n.className = 'name';
  n.textContent = name;
  tile.label.append(n);
  if (!micOn) {
    const m = document.createElement('span');
    m.className = 'mark muted-mic';
    m.textContent = t('room.muted');
    tile.label.append(m);
  }
  if (!camOn) {
    const m = document.createElement('span');
    m.className = 'mark camera-off';
    m.textContent = t('room.cameraOff');
    tile.label.append(m);
  }
  if (info.hand) {
    const h = document.createElement('span');
    h.className = 'hand';
    h.textContent = t('room.handRaised');
    tile.label.append(h);
  }
  tile.el.setAttribute('aria-label', [name, !micOn ? t('room.muted') : '', !camOn ? t('room.cameraOff') : '',
    info.hand ? t('room.handRaised') : ''].filter(Boolean).join(', '));
}

export function attach(id, track) {
  const tile = tiles.get(id);
  if (!tile) return;
  if (track.kind === 'video') {
    tile.video.srcObject = new MediaStream([track]);
  } else {
    if (!tile.audio) {
      tile.audio = document.createElement('audio');
      tile.audio.autoplay = true;
      tile.el.append(tile.audio);
    }
    tile.audio.srcObject = new MediaStream([track]);
    watch(id, track, (on) => speaking(id, on));
  }
  render(id);
}

export function speaking(id, on) {
  const tile = tiles.get(id);
  if (tile) tile.el.classList.toggle('speaking', !!on);
}

export function setLocalVideo(id, track) {
  const tile = tiles.get(id);
  if (!tile) return;
  tile.video.srcObject = track ? new MediaStream([track]) : null;
  render(id);
}

export function detach(id, kind) {
  const tile = tiles.get(id);
  if (!tile) return;
  if (kind === 'video') tile.video.srcObject = null;
  else if (tile.audio) { tile.audio.srcObject = null; unwatch(id); tile.el.classList.remove('speaking'); }
  render(id);
}

export function remove(id) {
  const tile = tiles.get(id);
  if (!tile) return;
  unwatch(id);
  tile.el.remove();
  tiles.delete(id);
}

function screenTile(key, track, text) {
  const el = document.createElement('div');
  el.className = 'tile screen';
  el.dataset.screen = key;
  const v = document.createElement('video');
  v.autoplay = true;
  v.playsInline = true;
  v.muted = true;
  v.srcObject = new MediaStream([track]);
  const label = document.createElement('div');
  label.className = 'label';
  label.textContent = text;
  el.append(v, label);
  el.setAttribute('role', 'group');
  el.setAttribute('aria-label', text);
  return el;
}

// A shared screen of another participant: a large tile naming who shares.
export function addScreen(mid, track, name) {
  removeScreen(mid);
  const el = screenTile(mid, track, t('room.sharing', { name }));
  el.dataset.name = name;
  const area = document.getElementById('screen-area');
  area.append(el);
  area.hidden = false;
  screens.set(mid, el);
}

// Our own shared screen, so we see what the others see (null: not sharing).
export function setLocalScreen(track) {
  const old = screens.get('self');
  if (old && old.querySelector('video').srcObject?.getVideoTracks()[0] === track) return;
  removeScreen('self');
  if (!track) return;
  const el = screenTile('self', track, t('room.sharingSelf'));
  el.classList.add('self');
  const area = document.getElementById('screen-area');
  area.append(el);
  area.hidden = false;
  screens.set('self', el);
}

export function removeScreen(mid) {
  const el = screens.get(mid);
  if (!el) return;
  el.remove();
  screens.delete(mid);
  document.getElementById('screen-area').hidden = screens.size === 0;
}

export function clear() {
  for (const id of [...tiles.keys()]) remove(id);
  for (const mid of [...screens.keys()]) removeScreen(mid);
}

export function rerenderAll() {
  for (const id of tiles.keys()) render(id);
  for (const [key, el] of screens) {
    const text = key === 'self' ? t('room.sharingSelf') : t('room.sharing', { name: el.dataset.name });
    el.querySelector('.label').textContent = text;
    el.setAttribute('aria-label', text);
  }
}

export function count() { return tiles.size; }
