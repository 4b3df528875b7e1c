// The chat panel: messages of this meeting only (the server keeps no history, docs/protocol.md
// "chat"), an unread count on the Chat button while the panel is closed.
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

export class Chat {
  // send(text) hands a message to the room; me is our participant id (to mark our own lines).
  constructor(send, maxLength) {
    this.send = send;
    this.me = null;
    this.unread = 0;
    $('chat-input').maxLength = maxLength || 2000;
    $('chat-form').onsubmit = (ev) => {
      ev.preventDefault();
      const text = $('chat-input').value;
      if (!text.trim()) return;
      this.send(text);
      $('chat-input').value = '';
    };
  }

  isOpen() { return !$('chat-panel').hidden; }

  opened() {
    this.unread = 0;
    this.renderBadge();
    $('chat-input').focus();
  }

  // A `chat` message from the server (our own included: that is the confirmation).
  add(m, myName) {
    const li = document.createElement('li');
    if (m.from === this.me) li.className = 'mine';
    const head = document.createElement('div');
    head.className = 'chat-head';
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = m.from === this.me ? t('room.you', { name: myName }) : m.name;
    const time = document.createElement('time');
    const when = new Date(typeof m.ts === 'number' ? m.ts : Date.now());
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
    head.append(who, time);
    const text = document.createElement('p');
    text.className = 'text';
    text.textContent = m.text;
    li.append(head, text);
    $('chat-log').append(li);
    li.scrollIntoView({ block: 'end' });
    if (!this.isOpen() && m.from !== this.me) {
      this.unread++;
      this.renderBadge();
    }
  }

  renderBadge() {
    const badge = $('chat-unread');
    badge.hidden = this.unread === 0;
    badge.textContent = t('chat.unread', { count: this.unread });
  }

  // Leaving or rejoining: nothing of the old meeting stays on the page.
  clear() {
    $('chat-log').replaceChildren();
    this.unread = 0;
    this.renderBadge();
  }
}
