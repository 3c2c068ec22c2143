// The vireod API from the browser: JSON over fetch (the session cookie
// rides along), byte streams over WebSocket (docs/api.md).
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Called with no argument whenever the daemon answers 401: the page
// shows the login form again (expired session, new token).
let onUnauthorized = () => {};
export function setUnauthorizedHandler(f) { onUnauthorized = f; }

export async function call(method, path, body) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, 'unreachable', `vireod is unreachable (${e.message})`);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    const err = data?.error ?? { code: 'failed', message: `${res.status} ${res.statusText}` };
    if (res.status === 401 && path !== '/v1/login') onUnauthorized();
    throw new ApiError(res.status, err.code, err.message);
  }
  return data;
}

export const api = {
  login: (token) => call('POST', '/v1/login', { token }),
  loginCode: (code) => call('POST', '/v1/login', { code }),
  logout: () => call('POST', '/v1/logout'),
  domains: async () => (await call('GET', '/v1/domains')).domains,
  domain: (name) => call('GET', `/v1/domains/${encodeURIComponent(name)}`),
  action: (name, act) => call('POST', `/v1/domains/${encodeURIComponent(name)}/${act}`),
};

export function wsUrl(path) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${path}`;
}

// The event feed: JSON lines over a WebSocket, reconnecting with a
// growing pause when the daemon goes away (restarts included).
// onEvent(obj); onStatus(true|false) when the feed comes up or drops.
export class EventFeed {
  constructor(onEvent, onStatus) {
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.delay = 500;
    this.stopped = false;
    this.open();
  }

  open() {
    const ws = new WebSocket(wsUrl('/v1/events'));
    ws.binaryType = 'arraybuffer';
    const dec = new TextDecoder();
    let buf = '';
    this.ws = ws;
    ws.onopen = () => { this.delay = 500; this.onStatus(true); };
    ws.onmessage = (m) => {
      buf += typeof m.data === 'string' ? m.data : dec.decode(m.data, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try { this.onEvent(JSON.parse(line)); } catch { /* not JSON: ignore */ }
      }
    };
    ws.onclose = () => {
      if (this.stopped) return;
      this.onStatus(false);
      setTimeout(() => { if (!this.stopped) this.open(); }, this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    };
  }

  close() {
    this.stopped = true;
    this.ws?.close();
  }
}
