// Entry point: picks the view from the URL (landing at <base>, pre-join at <base>r/<room>),
// wires the language switch and the privacy notice, and starts the room after "Join".
import { detectLanguage, setLanguage, currentLanguage, t, apply } from './i18n.js';
import { showPrivacy } from './privacy.js';
import { setupPrejoin } from './prejoin.js';
import { Room } from './room.js';

const $ = (id) => document.getElementById(id);
const ROOM_RE = /^[A-Za-z0-9._-]{1,64}$/;
const ROOM_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ROOM_LENGTH = 20; // 20 of 36 symbols: about 103 bits, not guessable

let banned = null; // the text currently in the banner, as { key, vars, kind }
let room = null;

function show(view) {
  for (const v of ['landing', 'prejoin', 'room', 'left']) $('view-' + v).hidden = v !== view;
  document.body.dataset.view = view;
}

function banner(text, kind = 'info') {
  $('banner').textContent = text || '';
  $('banner').className = 'banner ' + kind;
  $('banner').hidden = !text;
}

// A banner that follows the language switch.
function bannerKey(key, vars, kind) {
  banned = key ? { key, vars, kind } : null;
  banner(key ? t(key, vars) : null, kind);
}

function roomFromPath() {
  const rel = location.href.slice(document.baseURI.length).split(/[?#]/)[0];
  const m = rel.match(/^r\/([^/]+)$/);
  return m ? decodeURIComponent(m[1]) : null;
}

// Unbiased: bytes >= 252 (7 * 36) are drawn again.
export function newRoomName() {
  let out = '';
  while (out.length < ROOM_LENGTH) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      if (b < 252 && out.length < ROOM_LENGTH) out += ROOM_ALPHABET[b % 36];
    }
  }
  return out;
}

function roomUrl(name) {
  return new URL('r/' + encodeURIComponent(name), document.baseURI).href;
}

function landing() {
  show('landing');
  $('create-room').onclick = () => { location.href = roomUrl(newRoomName()); };
  $('join-form').onsubmit = (ev) => {
    ev.preventDefault();
    let v = $('join-room').value.trim();
    const m = v.match(/\/r\/([^/?#]+)/);
    if (m) v = decodeURIComponent(m[1]);
    if (!ROOM_RE.test(v)) {
      $('join-error').textContent = t('landing.roomInvalid');
      $('join-error').hidden = false;
      $('join-room').setAttribute('aria-invalid', 'true');
      $('join-room').focus();
      return;
    }
    location.href = roomUrl(v);
  };
}

async function loadClientSettings() {
  const res = await fetch(new URL('api/client', document.baseURI));
  if (!res.ok) throw new Error('api/client ' + res.status);
  return res.json();
}

function supported() {
  return !!(window.RTCPeerConnection && window.WebSocket && navigator.mediaDevices &&
    navigator.mediaDevices.getUserMedia && window.isSecureContext !== false);
}

async function main() {
  await setLanguage(detectLanguage());
  const langButton = () => { $('lang-switch').lang = currentLanguage() === 'de' ? 'en' : 'de'; };
  langButton();
  $('lang-switch').onclick = async () => {
    await setLanguage(currentLanguage() === 'de' ? 'en' : 'de');
    langButton();
    if (room) room.rerender();
    if (banned) banner(t(banned.key, banned.vars), banned.kind);
    document.dispatchEvent(new CustomEvent('plenum-language'));
  };
  $('privacy-open').onclick = () => showPrivacy();
  document.body.classList.add('ready');

  const name = roomFromPath();
  if (!name || !ROOM_RE.test(name)) return landing();
  show('prejoin');
  if (!supported()) {
    bannerKey(window.isSecureContext === false ? 'error.insecure' : 'error.unsupported', {}, 'error');
    $('join').disabled = true;
    return;
  }
  let client;
  try {
    client = await loadClientSettings();
  } catch {
    bannerKey('error.unreachable', {}, 'error');
    client = {};
  }
  $('rejoin').href = location.pathname;
  setupPrejoin(name, client, async (opts) => {
    bannerKey(null);
    show('room');
    if (!room) {
      room = new Room(name, opts, client, {
        banner: bannerKey,
        left: () => { show('left'); $('rejoin').focus(); },
        fatal: (key, vars) => {
          show('prejoin');
          $('prejoin-error').textContent = t(key, vars);
          $('prejoin-error').hidden = false;
          $('join').focus();
        },
      });
      window.plenumRoom = room;
    } else {
      room.opts = opts;
      room.leaving = false;
    }
    await room.enter();
  });
}

apply(document);
main();
