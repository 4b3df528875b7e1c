// Pre-join: name (remembered in this browser only), camera preview and microphone level, device
// choice, and toggles whose defaults come from the server's [client] settings (GET api/client).
import { t } from './i18n.js';
import { mediaErrorKey } from './errors.js';
import { watchLevel, unwatch } from './audio-level.js';

const $ = (id) => document.getElementById(id);
const NAME_KEY = 'plenum.name';

function stored(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

export function setupPrejoin(room, client, onJoin) {
  const state = { microphone: !!client.microphoneOnJoin, camera: !!client.cameraOnJoin, video: null, audio: null };
  const params = new URLSearchParams(location.search);
  $('name').value = params.get('name') || stored(NAME_KEY) || '';
  $('name').maxLength = client.maxNameLength || 64;
  $('prejoin-room').textContent = t('prejoin.room', { room });
  $('prejoin-room').dataset.room = room;
  document.addEventListener('plenum-language', () => { $('prejoin-room').textContent = t('prejoin.room', { room }); });
  const link = new URL('r/' + encodeURIComponent(room), document.baseURI).href;
  $('invite-link').value = link;

  const showError = (key, vars) => {
    $('prejoin-error').textContent = t(key, vars);
    $('prejoin-error').hidden = false;
  };

  function stop(kind) {
    if (!state[kind]) return;
    state[kind].getTracks().forEach((tr) => tr.stop());
    state[kind] = null;
    if (kind === 'audio') unwatch('preview');
  }

  // Opens (or closes) the preview devices to match the toggles; a device that fails is switched
  // off with an explanation.
  async function refresh() {
    $('pre-mic').setAttribute('aria-pressed', String(state.microphone));
    $('pre-cam').setAttribute('aria-pressed', String(state.camera));
    $('preview-off').hidden = state.camera;
    $('preview-video').hidden = !state.camera;
    $('mic-level-row').hidden = !state.microphone;
    stop('video');
    stop('audio');
    $('prejoin-error').hidden = true;
    try {
      if (state.camera) {
        const id = $('cam-select').value;
        state.video = await navigator.mediaDevices.getUserMedia({ video: id ? { deviceId: { exact: id } } : true });
        $('preview-video').srcObject = state.video;
      }
    } catch (e) {
      state.camera = false;
      showError(mediaErrorKey(e), { code: e.name });
      $('pre-cam').setAttribute('aria-pressed', 'false');
      $('preview-off').hidden = false;
      $('preview-video').hidden = true;
    }
    try {
      if (state.microphone) {
        const id = $('mic-select').value;
        state.audio = await navigator.mediaDevices.getUserMedia({ audio: id ? { deviceId: { exact: id } } : true });
        watchLevel('preview', state.audio.getAudioTracks()[0], (level) => {
          $('mic-level').value = Math.round(level * 100);
        });
      }
    } catch (e) {
      state.microphone = false;
      showError(mediaErrorKey(e), { code: e.name });
      $('pre-mic').setAttribute('aria-pressed', 'false');
      $('mic-level-row').hidden = true;
    }
    // Device labels are only readable once access was granted.
    await listDevices().catch(() => {});
  }

  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    for (const [sel, kind, label] of [[$('mic-select'), 'audioinput', 'prejoin.microphone'], [$('cam-select'), 'videoinput', 'prejoin.camera']]) {
      const keep = sel.value;
      sel.replaceChildren();
      devices.filter((d) => d.kind === kind).forEach((d, i) => {
        const o = document.createElement('option');
        o.value = d.deviceId;
        o.textContent = d.label || `${t(label)} ${i + 1}`;
        sel.append(o);
      });
      if (keep && [...sel.options].some((o) => o.value === keep)) sel.value = keep;
      sel.disabled = sel.options.length === 0;
    }
  }

  $('pre-mic').onclick = () => { state.microphone = !state.microphone; refresh(); };
  $('pre-cam').onclick = () => { state.camera = !state.camera; refresh(); };
  $('cam-select').onchange = () => refresh();
  $('mic-select').onchange = () => refresh();
  $('copy-link').onclick = async () => {
    try {
      await navigator.clipboard.writeText(link);
      $('copy-done').textContent = t('prejoin.copied');
    } catch {
      // No clipboard access (e.g. plain http): select the link so Ctrl+C copies it.
      $('invite-link').select();
      $('copy-done').textContent = t('prejoin.copyManually');
    }
  };
  $('prejoin-form').onsubmit = (ev) => {
    ev.preventDefault();
    const name = $('name').value.trim();
    if (!name) {
      showError('prejoin.nameMissing');
      $('name').setAttribute('aria-invalid', 'true');
      $('name').focus();
      return;
    }
    $('name').removeAttribute('aria-invalid');
    try { localStorage.setItem(NAME_KEY, name); } catch { /* private mode: not remembered */ }
    stop('video');
    stop('audio');
    onJoin({ name, microphone: state.microphone, camera: state.camera,
      deviceIds: { microphone: $('mic-select').value || undefined, camera: $('cam-select').value || undefined } });
  };
  listDevices().catch(() => {});
  refresh();
  // Join stays disabled in the page until here: a click before the handler exists would submit
  // the form to the server, which reloads the page instead of joining.
  $('join').disabled = false;
}
