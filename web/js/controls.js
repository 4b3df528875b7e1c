// The control bar: microphone, camera, screen share, chat, participant list, hand, leave, with
// aria-pressed showing their state, and the keyboard shortcuts M (microphone) and V (camera)
// when focus is not in a text field.
const $ = (id) => document.getElementById(id);

let current = null; // the room the controls act on; replaced on rejoin
let bound = false;

function togglePanel(name) {
  const panel = $(name + '-panel');
  const open = panel.hidden;
  for (const other of ['chat', 'people']) {
    $(other + '-panel').hidden = other !== name || !open;
    $('ctl-' + other).setAttribute('aria-pressed', String(other === name && open));
  }
  if (open && current) current.panelOpened(name);
  if (!open) $('ctl-' + name).focus();
}

function typing(target) {
  return !!(target && target.closest && target.closest('input, textarea, select, [contenteditable="true"]'));
}

export function bindControls(room) {
  current = room;
  if (bound) return;
  bound = true;
  $('ctl-mic').onclick = () => current.toggle('microphone');
  $('ctl-cam').onclick = () => current.toggle('camera');
  $('ctl-screen').onclick = () => current.toggle('screen');
  $('ctl-hand').onclick = () => current.toggleHand();
  $('ctl-leave').onclick = () => current.leave();
  $('ctl-chat').onclick = () => togglePanel('chat');
  $('chat-close').onclick = () => togglePanel('chat');
  $('ctl-people').onclick = () => togglePanel('people');
  $('people-close').onclick = () => togglePanel('people');
  document.addEventListener('keydown', (ev) => {
    if (!current || $('view-room').hidden || ev.ctrlKey || ev.metaKey || ev.altKey || ev.repeat) return;
    if (typing(ev.target) || document.querySelector('dialog[open]')) return;
    const key = ev.key.toLowerCase();
    if (key === 'm') { ev.preventDefault(); current.toggle('microphone'); }
    if (key === 'v') { ev.preventDefault(); current.toggle('camera'); }
    if (key === 'escape') {
      if (!$('chat-panel').hidden) togglePanel('chat');
      else if (!$('people-panel').hidden) togglePanel('people');
    }
  });
}

// Shows the local state on the buttons.
export function showState({ microphone, camera, screen, hand }) {
  $('ctl-mic').setAttribute('aria-pressed', String(!!microphone));
  $('ctl-cam').setAttribute('aria-pressed', String(!!camera));
  $('ctl-screen').setAttribute('aria-pressed', String(!!screen));
  $('ctl-hand').setAttribute('aria-pressed', String(!!hand));
}

export function closePanels() {
  for (const name of ['chat', 'people']) {
    $(name + '-panel').hidden = true;
    $('ctl-' + name).setAttribute('aria-pressed', 'false');
  }
}
