// The privacy notice, rendered from GET api/privacy so it says what the running server does.
import { t } from './i18n.js';

export async function showPrivacy() {
  const list = document.getElementById('privacy-list');
  list.replaceChildren();
  let p = {};
  try { p = await (await fetch(new URL('api/privacy', document.baseURI))).json(); } catch { /* show the fixed parts */ }
  const items = [];
  items.push(p.recording ? t('privacy.recordingOn') : t('privacy.recordingOff'));
  if (p.storesNames === false) items.push(t('privacy.names'));
  if (p.storesChat === false) items.push(t('privacy.chat'));
  items.push(t('privacy.media'));
  if (p.logs) items.push(p.logs.personalData ? t('privacy.logsOn') : t('privacy.logsOff'));
  if (Array.isArray(p.thirdParties) && p.thirdParties.length === 0) items.push(t('privacy.noThirdParties'));
  if (Array.isArray(p.iceServers) && p.iceServers.length) items.push(t('privacy.iceServers', { list: p.iceServers.join(', ') }));
  items.push(t('privacy.presence'));
  if (p.database === false) items.push(t('privacy.database'));
  for (const text of items) {
    const li = document.createElement('li');
    li.textContent = text;
    list.append(li);
  }
  document.getElementById('privacy-dialog').showModal();
}
