// The privacy notice, rendered from GET api/privacy so it says what the running server does.
// Each field of the answer selects a sentence from i18n/<lang>.json; the server's own English
// descriptions are not shown, so the notice is fully translated.
import { t } from './i18n.js';

function iceList(servers) {
  return servers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls || s])).map(String)
    .map((u) => u.replace(/\?.*$/, '')).join(', ');
}

export function privacyItems(p) {
  const items = [];
  items.push(p.recording ? t('privacy.recordingOn') : t('privacy.recordingOff'));
  items.push(p.storesNames ? t('privacy.namesStored') : t('privacy.names'));
  items.push(p.storesChat ? t('privacy.chatStored') : t('privacy.chat'));
  items.push(t('privacy.media'));
  if (p.logs) items.push(p.logs.personalData ? t('privacy.logsOn') : t('privacy.logsOff'));
  if (Array.isArray(p.thirdParties) && p.thirdParties.length) items.push(t('privacy.thirdParties', { list: p.thirdParties.join(', ') }));
  else items.push(t('privacy.noThirdParties'));
  if (Array.isArray(p.iceServers) && p.iceServers.length) items.push(t('privacy.iceServers', { list: iceList(p.iceServers) }));
  else items.push(t('privacy.noIceServers'));
  items.push(t('privacy.presence'));
  items.push(p.database ? t('privacy.databaseOn') : t('privacy.database'));
  items.push(t('privacy.localStorage'));
  return items;
}

export async function showPrivacy() {
  const list = document.getElementById('privacy-list');
  const dialog = document.getElementById('privacy-dialog');
  list.replaceChildren();
  let p = null;
  try {
    const res = await fetch(new URL('api/privacy', document.baseURI));
    if (res.ok) p = await res.json();
  } catch { /* unreachable: say so instead of guessing */ }
  const texts = p ? privacyItems(p) : [t('error.unreachable')];
  for (const text of texts) {
    const li = document.createElement('li');
    li.textContent = text;
    list.append(li);
  }
  if (!dialog.open) dialog.showModal();
}
