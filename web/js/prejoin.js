// Pre-join: name (remembered in this browser only), camera preview, device choice, toggles whose
// defaults come from the server's [client] settings.
import { t } from './i18n.js';
import { mediaErrorKey } from './errors.js';

const $ = (id) => document.getElementById(id);

export function setupPrejoin(room, client, onJoin) {
  const state = { microphone: !!client.microphoneOnJoin, camera: !!client.cameraOnJoin, stream: null };
  const params = new URLSearchParams(location.search);
  $('name').value = params.get('name') || localStorage.getItem('plenum.name') || '';
  $('name').maxLength = client.maxNameLength || 64;
  $('prejoin-room').textContent = t('prejoin.room', { room });
  $('prejoin-room').dataset.room = room;

  const showError = (key, vars) => { $('prejoin-error').textContent = t(key, vars); $('prejoin-error').hidden = false; };

  async function refreshPreview() {
    if (state.stream) { state.stream.getTracks().forEach((tr) => tr.stop()); state.stream = null; }
    $('pre-mic').setAttribute('aria-pressed', String(state.microphone));
    $('pre-cam').setAttribute('aria-pressed', String(state.camera));
    $('preview-off').hidden = state.camera;
    $('preview-video').hidden = !state.camera;
    if (!state.camera) return;
    try {
      const id = $('cam-select').value;
      state.stream = await navigator.mediaDevices.getUserMedia({ video: id ? { deviceId: { exact: id } } : true });
      $('preview-video').srcObject = state.stream;
      $('prejoin-error').hidden = true;
      await listDevices();
    } catch (e) {
      state.camera = false;
      showError(mediaErrorKey(e));
      refreshPreview();
    }
  }

  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    for (const [sel, kind] of [[$('mic-select'), 'audioinput'], [$('cam-select'), 'videoinput']]) {
      const keep = sel.value;
      sel.replaceChildren();
      devices.filter((d) => d.kind === kind).forEach((d, i) => {
        const o = document.createElement('option');
        o.value = d.deviceId;
        o.textContent = d.label || `${kind === 'audioinput' ? t('prejoin.microphone') : t('prejoin.camera')} ${i + 1}`;
        sel.append(o);
      });
      if (keep) sel.value = keep;
    }
  }

  $('pre-mic').onclick = () => { state.microphone = !state.microphone; refreshPreview(); };
  $('pre-cam').onclick = () => { state.camera = !state.camera; refreshPreview(); };
  $('cam-select').onchange = () => refreshPreview();
  const link = new URL('r/' + encodeURIComponent(room), document.baseURI).href;
  $('invite-link').value = link;
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
    if (!name) { showError('prejoin.nameMissing'); return; }
    localStorage.setItem('plenum.name', name);
    if (state.stream) { state.stream.getTracks().forEach((tr) => tr.stop()); state.stream = null; }
    onJoin({ name, microphone: state.microphone, camera: state.camera,
      deviceIds: { microphone: $('mic-select').value || undefined, camera: $('cam-select').value || undefined } });
  };
  listDevices().catch(() => {});
  refreshPreview();
}
