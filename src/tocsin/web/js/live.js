// The SSE stream of event changes, with our own reconnect loop and a visible state.
//
// The stream is read with fetch() rather than EventSource so that it can carry the API key
// (EventSource cannot send an Authorization header, and a deployment with public_read off
// requires one). After any gap we emit 'resync' so that views refetch what they may have
// missed instead of trusting the stream to be complete.

import { getKey } from './api.js';

export class Live extends EventTarget {
  constructor(url = '/api/v1/stream') {
    super();
    this.url = url;
    this.state = 'connecting';
    this.retry = 0;
    this.timer = null;
    this.ctrl = null;
    this.hadGap = false;
    this.lastId = null;
  }

  start() {
    this.connect();
    window.addEventListener('online', () => this.reconnectNow());
    window.addEventListener('tocsin:key', () => this.reconnectNow(true));
    return this;
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  reconnectNow(force = false) {
    if (this.state === 'live' && !force) return;
    clearTimeout(this.timer);
    this.connect();
  }

  failed(ctrl, why) {
    if (this.ctrl !== ctrl) return; // superseded by a newer connection
    this.hadGap = true;
    this.setState(why === 'auth' ? 'needs-key' : 'reconnecting');
    const delay = Math.min(10000, 500 * 2 ** this.retry);
    this.retry += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), why === 'auth' ? 30000 : delay);
  }

  async connect() {
    if (this.ctrl) this.ctrl.abort();
    const ctrl = new AbortController();
    this.ctrl = ctrl;
    const headers = { Accept: 'text/event-stream' };
    const key = getKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    if (this.lastId) headers['Last-Event-ID'] = this.lastId;
    let res;
    try {
      res = await fetch(this.url, { headers, signal: ctrl.signal, cache: 'no-store' });
    } catch {
      this.failed(ctrl, 'network');
      return;
    }
    if (!res.ok || !res.body) {
      this.failed(ctrl, res.status === 401 || res.status === 403 ? 'auth' : 'http');
      return;
    }
    this.retry = 0;
    this.setState('live');
    if (this.hadGap) {
      this.hadGap = false;
      this.dispatchEvent(new CustomEvent('resync'));
    }
    try {
      await this.read(res.body, ctrl);
    } catch { /* dropped or aborted */ }
    this.failed(ctrl, 'network');
  }

  async read(body, ctrl) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let msg = { event: 'message', data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done || ctrl.signal.aborted) return;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (msg.data.length) this.emit(msg.event, msg.data.join('\n'));
          msg = { event: 'message', data: [] };
          continue;
        }
        if (line.startsWith(':')) continue; // comment / ping
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') msg.event = val;
        else if (field === 'data') msg.data.push(val);
        else if (field === 'id') this.lastId = val;
      }
    }
  }

  emit(kind, raw) {
    if (kind !== 'event' && kind !== 'alert') return;
    let data;
    try { data = JSON.parse(raw); } catch { return; }
    this.dispatchEvent(new CustomEvent(kind, { detail: data }));
  }
}
