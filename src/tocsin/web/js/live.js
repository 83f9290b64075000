// The SSE stream of event changes, with our own reconnect loop and a visible state.
//
// EventSource reconnects by itself after a dropped connection, but gives up for good on an
// HTTP error (e.g. while a restarting server answers 502), so we close and reopen it
// ourselves with a capped back-off. After any gap we emit 'resync' so that views refetch
// what they may have missed instead of trusting the stream to be complete.

export class Live extends EventTarget {
  constructor(url = '/api/v1/stream') {
    super();
    this.url = url;
    this.state = 'connecting';
    this.es = null;
    this.retry = 0;
    this.timer = null;
    this.hadGap = false;
  }

  start() {
    this.connect();
    window.addEventListener('online', () => this.reconnectNow());
    return this;
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  reconnectNow() {
    if (this.state === 'live') return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    if (this.es) this.es.close();
    const es = new EventSource(this.url);
    this.es = es;
    es.addEventListener('open', () => {
      this.retry = 0;
      this.setState('live');
      if (this.hadGap) {
        this.hadGap = false;
        this.dispatchEvent(new CustomEvent('resync'));
      }
    });
    es.addEventListener('error', () => {
      if (this.es !== es) return;
      this.hadGap = true;
      es.close();
      this.setState('reconnecting');
      const delay = Math.min(10000, 500 * 2 ** this.retry);
      this.retry += 1;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.connect(), delay);
    });
    for (const kind of ['event', 'alert']) {
      es.addEventListener(kind, (msg) => {
        let data;
        try { data = JSON.parse(msg.data); } catch { return; }
        this.dispatchEvent(new CustomEvent(kind, { detail: data }));
      });
    }
  }
}
