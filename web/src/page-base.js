// What the host, networks and storage pages share: reading the API into
// a property with the error shown instead, following the daemon's event
// feed (FeedRefresh), and (ListPage) a list whose actions report errors
// in the row that caused them, with a form whose errors land by their
// fields.
import { LitElement, html } from 'lit';
import { call } from './api.js';
import { t } from './i18n.js';

// GET `path` into el[prop] (its `key` member if given); a failure sets
// el[errProp] to the message under errKey, a success clears it. When
// reads of one property overlap (an action's and an event's), the one
// asked last wins: an older answer never replaces a newer one.
const asked = new WeakMap(); // el -> { prop: number of the latest read }
export async function fetchInto(el, prop, path, { key, errProp = 'error', errKey = 'err.generic' } = {}) {
  const seq = asked.get(el) ?? {};
  asked.set(el, seq);
  const mine = seq[prop] = (seq[prop] ?? 0) + 1;
  try {
    const data = await call('GET', path);
    if (seq[prop] !== mine) return;
    el[prop] = key ? data[key] : data;
    el[errProp] = null;
  } catch (err) {
    if (seq[prop] === mine) el[errProp] = t(errKey, err.message);
  }
}

// Keeps a page live from the event feed (api.js announces each event on
// window as 'vireo-event' and each (re)connection as 'vireo-feed-up'):
// refresh(events) for the events wants(ev) accepts, with every such event
// since the last refresh, or refresh(null) after a (re)connection, when
// events may have been missed (a daemon restart). A burst (a script
// making fifty volumes) costs one refresh per COALESCE_MS at most, and
// refreshes never overlap. A Lit reactive controller: it listens only
// while its page is on screen.
const COALESCE_MS = 300;
export class FeedRefresh {
  constructor(host, wants, refresh) {
    this.wants = wants;
    this.refresh = refresh;
    this.pending = undefined; // undefined: nothing; null: everything; else events
    this.onEvent = (e) => { if (this.wants(e.detail)) this.schedule([e.detail]); };
    this.onUp = () => this.schedule(null);
    host.addController(this);
  }

  hostConnected() {
    addEventListener('vireo-event', this.onEvent);
    addEventListener('vireo-feed-up', this.onUp);
  }

  hostDisconnected() {
    removeEventListener('vireo-event', this.onEvent);
    removeEventListener('vireo-feed-up', this.onUp);
    clearTimeout(this.timer);
    this.timer = null;
    this.pending = undefined;
  }

  schedule(events) {
    if (this.pending === undefined) this.pending = events;
    else if (this.pending && events) this.pending.push(...events);
    else this.pending = null;
    if (!this.timer && !this.running) this.timer = setTimeout(() => this.run(), COALESCE_MS);
  }

  async run() {
    this.timer = null;
    const events = this.pending;
    this.pending = undefined;
    this.running = true;
    try {
      await this.refresh(events);
    } finally {
      this.running = false;
      // What came meanwhile gets its own refresh, COALESCE_MS later.
      if (this.pending !== undefined) this.timer = setTimeout(() => this.run(), COALESCE_MS);
    }
  }
}

// A row of a form's grid: the label, then the control with its help
// (ID-help) and its error paragraph (ID-error, also its testid) below.
// The control's aria-describedby names them.
export function fieldRow(id, label, error, control, help) {
  return html`<label for=${id}>${label}</label>
    <div>${control}${help ? html`<small id="${id}-help" class="muted">${help}</small>` : ''}
      <p id="${id}-error" class="error" role="alert" data-testid="${id}-error">${error ?? ''}</p></div>`;
}

export class ListPage extends LitElement {
  static properties = {
    selected: {},
    busy: { state: true },
    rowErrors: { state: true },  // row key -> message
    formErrors: { state: true }, // field name (or 'form') -> message
    formNotice: { state: true },
    error: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.rowErrors = {};
    this.formErrors = {};
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  // Run fn (API calls for one row); its error shows in that row. The
  // list is read again either way: the daemon's state is the truth.
  async act(rowKey, fn) {
    this.busy = true;
    this.formNotice = null;
    this.rowErrors = { ...this.rowErrors, [rowKey]: null };
    try {
      await fn();
    } catch (err) {
      this.rowErrors = { ...this.rowErrors, [rowKey]: t('err.generic', err.message) };
    } finally {
      this.busy = false;
      await this.load();
    }
  }

  // Submit a create form: `check` gives field errors found here; `fn`
  // does the API calls; `field(message)` says which field a daemon
  // refusal is about. Resolves true when it worked.
  async submitForm(check, fn, field) {
    this.formErrors = check;
    this.formNotice = null;
    if (Object.keys(check).length) {
      await this.updateComplete;
      this.querySelector('form [aria-invalid=true]')?.focus();
      return false;
    }
    this.busy = true;
    try {
      this.formNotice = await fn();
      return true;
    } catch (err) {
      this.formErrors = { [field(err)]: t('err.generic', err.message) };
      return false;
    } finally {
      this.busy = false;
      await this.load();
    }
  }

  pageError() {
    return this.error ? html`<p class="error" role="alert">${this.error}</p>` : '';
  }

  rowError(rowKey, testid) {
    return html`<p class="error" role="alert" data-testid=${testid}>${this.rowErrors[rowKey] ?? ''}</p>`;
  }
}
