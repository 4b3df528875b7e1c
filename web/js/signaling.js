// The websocket to the server (docs/protocol.md): requests with ids and promises, events by type,
// pong for the server's pings, and reconnect with backoff when the connection drops.
// A websocket that never opened tells a script nothing (not even the HTTP status). While the
// server is at [http] max_connections it refuses page requests too, with 503 "server full"
// (docs/configuration.md): ask it, so the person learns to wait instead of checking the network.
async function whyRefused() {
  try {
    const r = await fetch(new URL('api/client', document.baseURI), { cache: 'no-store' });
    if (r.status === 503 && (await r.text()).startsWith('server full')) return 'server-full';
  } catch { /* not reachable at all */ }
  return 'unreachable';
}

export class Signaling {
  constructor() {
    this.handlers = new Map();
    this.pending = new Map();
    this.nextId = 1;
    this.ws = null;
    this.closedByUs = false;
  }

  on(type, fn) { this.handlers.set(type, fn); }

  emit(type, msg) { const h = this.handlers.get(type); if (h) h(msg); }

  connect() {
    return new Promise((resolve, reject) => {
      const url = new URL('ws', document.baseURI);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(url.href);
      this.ws = ws;
      let opened = false;
      ws.onopen = () => { opened = true; resolve(); };
      ws.onerror = () => {
        if (opened) return;
        whyRefused().then((code) => reject(Object.assign(new Error(code), { code })));
      };
      ws.onclose = (ev) => {
        for (const p of this.pending.values()) p.reject(new Error('closed'));
        this.pending.clear();
        if (opened && !this.closedByUs) this.emit('disconnected', ev);
      };
      ws.onmessage = (ev) => this.receive(ev.data);
    });
  }

  receive(data) {
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === 'error') {
        const err = new Error(msg.message);
        err.code = msg.code;
        p.reject(err);
      } else {
        p.resolve(msg);
      }
      return;
    }
    if (msg.type === 'ping') { this.send({ type: 'pong' }); return; }
    this.emit(msg.type, msg);
  }

  send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  request(obj) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ ...obj, id });
    });
  }

  close() {
    this.closedByUs = true;
    if (this.ws) this.ws.close(1000);
  }
}
