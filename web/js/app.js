// Entry point: picks the view from the URL (landing, or r/<room>), wires the language switch,
// the privacy notice and the room controls.
import { detectLanguage, setLanguage, currentLanguage, t, apply } from './i18n.js';
import { showPrivacy } from './privacy.js';
import { setupPrejoin } from './prejoin.js';
import { Room } from './room.js';
import { rerenderAll } from './tiles.js';

const $ = (id) => document.getElementById(id);
const ROOM_RE = /^[A-Za-z0-9._-]{1,64}$/;

function show(view) {
  for (const v of ['landing', 'prejoin', 'room', 'left']) $('view-' + v).hidden = v !== view;
}

function banner(text) {
  $('banner').textContent = text || '';
  $('banner').hidden = !text;
}

function roomFromPath() {
  const rel = location.href.slice(document.baseURI.length).split(/[?#]/)[0];
  const m = rel.match(/^r\/([^/]+)$/);
  return m ? decodeURIComponent(m[1]) : null;
}

function newRoomName() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function goRoom(room) {
  location.href = new URL('r/' + encodeURIComponent(room), document.baseURI).href;
}

function landing() {
  show('landing');
  $('create-room').onclick = () => goRoom(newRoomName());
  $('join-form').onsubmit = (ev) => {
    ev.preventDefault();
    let v = $('join-room').value.trim();
    const m = v.match(/\/r\/([^/?#]+)/);
    if (m) v = decodeURIComponent(m[1]);
    if (!ROOM_RE.test(v)) { $('join-error').textContent = t('landing.roomInvalid'); $('join-error').hidden = false; return; }
    goRoom(v);
  };
}

function bindRoomControls(room) {
  $('ctl-mic').onclick = () => room.toggle('microphone');
  $('ctl-cam').onclick = () => room.toggle('camera');
  $('ctl-screen').onclick = () => room.toggle('screen');
  $('ctl-hand').onclick = () => room.toggleHand();
  $('ctl-leave').onclick = () => room.leave();
  const panel = (btn, id) => {
    const open = $(id).hidden;
    $(id).hidden = !open;
    $(btn).setAttribute('aria-pressed', String(open));
    if (open && id === 'chat-panel') $('chat-input').focus();
  };
  $('ctl-chat').onclick = () => panel('ctl-chat', 'chat-panel');
  $('chat-close').onclick = () => panel('ctl-chat', 'chat-panel');
  $('ctl-people').onclick = () => panel('ctl-people', 'people-panel');
  $('people-close').onclick = () => panel('ctl-people', 'people-panel');
  $('chat-form').onsubmit = (ev) => {
    ev.preventDefault();
    room.sendChat($('chat-input').value);
    $('chat-input').value = '';
  };
  document.addEventListener('keydown', (ev) => {
    if ($('view-room').hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.closest('input, textarea, select')) return;
    if (ev.key === 'm' || ev.key === 'M') room.toggle('microphone');
    if (ev.key === 'v' || ev.key === 'V') room.toggle('camera');
  });
}

async function main() {
  await setLanguage(detectLanguage());
  const langButton = () => { $('lang-switch').lang = currentLanguage() === 'de' ? 'en' : 'de'; };
  langButton();
  $('lang-switch').onclick = async () => {
    await setLanguage(currentLanguage() === 'de' ? 'en' : 'de');
    langButton();
    rerenderAll();
  };
  $('privacy-open').onclick = () => showPrivacy();
  if (!window.RTCPeerConnection || !navigator.mediaDevices || !window.WebSocket) {
    banner(t('error.unsupported'));
    return;
  }
  const room = roomFromPath();
  if (!room) return landing();
  if (!ROOM_RE.test(room)) { landing(); return; }
  let client = {};
  try { client = await (await fetch(new URL('api/client', document.baseURI))).json(); } catch { banner(t('error.unreachable')); }
  show('prejoin');
  $('rejoin').href = location.pathname;
  setupPrejoin(room, client, async (opts) => {
    show('room');
    $('room-title').textContent = t('prejoin.room', { room });
    const r = new Room(room, opts, {
      banner,
      left: () => show('left'),
      fatal: (key, vars) => { show('prejoin'); $('prejoin-error').textContent = t(key, vars); $('prejoin-error').hidden = false; },
    });
    bindRoomControls(r);
    window.plenumRoom = r;
    await r.enter();
  });
}

apply(document);
main();
