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

// The host the pages work on (hosts-page.js): null for this daemon, else
// the name of a host from GET /v1/hosts, whose API this daemon forwards
// under /v1/hosts/NAME/api. The browser talks only to this daemon.
let host = sessionStorage.getItem('vireo.host') || null;
export function currentHost() { return host; }
export function setHost(name) {
  host = name || null;
  if (host) sessionStorage.setItem('vireo.host', host); else sessionStorage.removeItem('vireo.host');
  dispatchEvent(new CustomEvent('vireo-host'));
}
// What stays with this daemon whichever host is chosen.
const ownPaths = /^\/v1\/(login|logout|hosts|web\/)/;
export const hostPath = (name, path) => (name && !ownPaths.test(path)
  ? `/v1/hosts/${encodeURIComponent(name)}/api${path}` : path);

// One request: the body as given, the answer's JSON (or its text when
// asText), errors as ApiError. `at`: the host (undefined: the chosen one).
async function request(method, path, body, type, asText = false, at = undefined) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    opts.headers['Content-Type'] = type;
    opts.body = body;
  }
  let res;
  try {
    res = await fetch(hostPath(at === undefined ? host : at, path), opts);
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
  return asText ? text : data;
}

export function call(method, path, body) {
  return request(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
}

// The same on a given host (null: this daemon), whichever is chosen.
export function callAt(at, method, path, body) {
  return request(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json', false, at);
}

// An answer that is not JSON (a definition's XML).
export function getText(path) {
  return request('GET', path, undefined, undefined, true);
}

// A body that is not JSON (domain or network XML): the same answers and errors as call().
export function callXml(method, path, xml) {
  return request(method, path, xml, 'application/xml');
}

export const api = {
  login: (token) => call('POST', '/v1/login', { token }),
  loginCode: (code) => call('POST', '/v1/login', { code }),
  logout: () => call('POST', '/v1/logout'),
  domains: async () => (await call('GET', '/v1/domains')).domains,
  domain: (name) => call('GET', `/v1/domains/${encodeURIComponent(name)}`),
  action: (name, act) => call('POST', `/v1/domains/${encodeURIComponent(name)}/${act}`),
};

// A stream of the chosen host: this daemon forwards it (host_streams.c).
export function wsUrl(path) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${hostPath(host, path)}`;
}

// The event feed: JSON lines over a WebSocket, reconnecting with a
// growing pause when the daemon goes away (restarts included).
// path: /v1/events, with ?stats=1 for the VM list's samples too.
// onEvent(obj); onStatus(true|false) when the feed comes up or drops.
// Every event is also announced on window as 'vireo-event' (detail: the
// event), and every (re)connection as 'vireo-feed-up', so that any page
// can follow the daemon without the shell knowing what it shows
// (page-base.js FeedRefresh).
export class EventFeed {
  constructor(path, onEvent, onStatus) {
    this.path = path;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.delay = 500;
    this.stopped = false;
    this.open();
  }

  open() {
    const ws = new WebSocket(wsUrl(this.path));
    ws.binaryType = 'arraybuffer';
    const dec = new TextDecoder();
    let buf = '';
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      this.onStatus(true);
      dispatchEvent(new CustomEvent('vireo-feed-up'));
    };
    ws.onmessage = (m) => {
      buf += typeof m.data === 'string' ? m.data : dec.decode(m.data, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        let ev;
        try { ev = JSON.parse(line); } catch { continue; /* not JSON: ignore */ }
        dispatchEvent(new CustomEvent('vireo-event', { detail: ev }));
        this.onEvent(ev);
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

// ---- host, networks and storage pages ----

// Upload a File (or Blob) into an existing volume over a WebSocket on
// the upload path (docs/api.md "Upload and download"): binary messages
// out, one JSON line back. onProgress(bytesAcknowledged, total) as the
// socket drains. Resolves with the daemon's {"ok":true,"bytes":N}.
const UPLOAD_CHUNK = 256 * 1024;
const UPLOAD_QUEUE = 4 * 1024 * 1024; // what may wait in the browser's socket buffer

export function uploadVolume(pool, vol, file, onProgress = () => {}) {
  const path = `/v1/pools/${encodeURIComponent(pool)}/volumes/${encodeURIComponent(vol)}/upload?length=${file.size}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(path));
    ws.binaryType = 'arraybuffer';
    let answer = '';
    let sent = 0;
    let settled = false;
    const settle = (f, v) => { if (!settled) { settled = true; clearInterval(tick); f(v); } };
    // bufferedAmount has no event: look at it while bytes are queued.
    const tick = setInterval(() => onProgress(sent - ws.bufferedAmount, file.size), 200);
    ws.onopen = async () => {
      try {
        while (sent < file.size && ws.readyState === WebSocket.OPEN) {
          while (ws.bufferedAmount > UPLOAD_QUEUE) await new Promise((r) => setTimeout(r, 20));
          const buf = await file.slice(sent, sent + UPLOAD_CHUNK).arrayBuffer();
          ws.send(buf);
          sent += buf.byteLength;
        }
      } catch (e) {
        ws.close();
        settle(reject, new ApiError(0, 'failed', `cannot read the file: ${e.message}`));
      }
    };
    ws.onmessage = (m) => {
      answer += typeof m.data === 'string' ? m.data : new TextDecoder().decode(m.data);
      if (!answer.includes('\n')) return;
      const res = JSON.parse(answer);
      onProgress(file.size, file.size);
      if (res.ok) settle(resolve, res);
      else settle(reject, new ApiError(0, res.error?.code ?? 'failed', res.error?.message ?? answer));
    };
    // Before the switch the daemon answers in HTTP, which a WebSocket
    // cannot read: the page checks what it can (volume exists, not in use)
    // first, and this says where to look for the rest.
    ws.onclose = () => settle(reject, new ApiError(0, 'failed', sent === 0
      ? 'vireod refused the upload (see its log: the volume may be in use or gone)'
      : `the upload broke off after ${sent} of ${file.size} bytes; the volume is unchanged`));
  });
}
