// The web manager's shell: login, routing (#/, #/domains/NAME[/TAB],
// #/new, #/host, #/networks[/NAME], #/storage[/POOL], #/templates, #/hosts), the
// domain list kept live from the event feed, the language switch, and
// the host the pages work on (hosts-page.js): pages are made afresh
// when it changes. The event feed is this daemon's: while another host
// is managed, its pages are read on each visit instead.
import { LitElement, html } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { api, currentHost, EventFeed, setUnauthorizedHandler } from './api.js';
import { getLang, languages, onLangChange, setLang, t } from './i18n.js';
import { DomainSamples } from './domain-samples.js';
import './login.js';
import './domain-list.js';
import './domain-page.js';
import './wizard.js';
import './host-page.js';
import './networks-page.js';
import './storage-page.js';
import './templates-page.js';
import './hosts-page.js';

function route() {
  const h = location.hash;
  let m = h.match(/^#\/domains\/([^/?]+)(?:\/([a-z]+))?/);
  if (m) return { page: 'domain', name: decodeURIComponent(m[1]), tab: m[2] ?? 'overview' };
  m = h.match(/^#\/(new|hosts|host|networks|storage|templates)(?:\/([^/?]+))?/);
  if (m) return { page: m[1], name: m[2] ? decodeURIComponent(m[2]) : null };
  return { page: 'list' };
}

const nav = [
  ['list', '#/', 'nav.domains'],
  ['host', '#/host', 'nav.host'],
  ['networks', '#/networks', 'nav.networks'],
  ['storage', '#/storage', 'nav.storage'],
  ['templates', '#/templates', 'nav.templates'],
  ['hosts', '#/hosts', 'nav.hosts'],
];

class VrApp extends LitElement {
  static properties = {
    authed: { state: true },
    domains: { state: true },
    samples: { state: true },
    route: { state: true },
    live: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  createRenderRoot() { return this; }

  constructor() {
    super();
    this.authed = null;
    this.domains = [];
    this.sampler = new DomainSamples();
    this.samples = new Map();
    this.route = route();
    this.live = false;
    // Pages render their strings themselves: redraw every one of them.
    onLangChange(() => {
      this.requestUpdate();
      for (const el of this.querySelectorAll('*')) el.requestUpdate?.();
    });
    addEventListener('hashchange', () => { this.route = route(); });
    // Another host: its VMs, and its event feed (forwarded by this daemon).
    addEventListener('vireo-host', () => {
      this.feed?.close();
      this.feed = null;
      this.domains = [];
      this.samples = new Map();
      this.load();
    });
    setUnauthorizedHandler(() => this.loggedOut(t('login.expired')));
  }

  connectedCallback() {
    super.connectedCallback();
    // A one-time link (vireo web-token --url): #login=CODE logs in once.
    const m = location.hash.match(/login=([0-9a-f]+)/);
    if (m) {
      history.replaceState(null, '', location.pathname);
      this.route = route();
      api.loginCode(m[1])
        .catch((err) => { this.notice = err.message; })
        .finally(() => this.load());
    } else {
      this.load();
    }
  }

  // The list, and the event feed once logged in. One retry timer at most:
  // while vireod is away (a restart) the page says so and tries again.
  async load() {
    clearTimeout(this.retryTimer);
    try {
      this.domains = await api.domains();
      this.authed = true;
      this.error = null;
      if (!this.feed) this.feed = new EventFeed('/v1/events?stats=1', (ev) => this.onEvent(ev), (up) => this.onFeed(up));
    } catch (err) {
      if (err.status === 401) {
        this.loggedOut(t('login.expired'));
      } else {
        this.error = t('err.generic', err.message);
        this.retryTimer = setTimeout(() => this.load(), 2000);
      }
    }
  }

  loggedOut(notice) {
    this.feed?.close();
    this.feed = null;
    this.live = false;
    if (this.authed && notice) this.notice = notice;
    this.authed = false;
  }

  loggedIn() {
    this.notice = null;
    this.load();
  }

  onFeed(up) {
    const was = this.live;
    this.live = up;
    // Back after a drop (daemon restart): events may have been missed.
    // A drop may also be the session ending: load() finds out.
    if (this.authed && up !== was) this.load();
  }

  async onEvent(ev) {
    // The feed is the chosen host's (forwarded by this daemon when it is another).
    if (ev.kind === 'stats') {
      this.samples = this.sampler.update(ev);
      return;
    }
    if (ev.kind !== 'domain') return;
    // Undefined while shut off: gone, nothing to read (a read would only
    // answer 404). A running one lives on as a transient domain.
    if (ev.event === 'undefined' && this.domains.find((d) => d.name === ev.name)?.state === 'shut off') {
      this.domains = this.domains.filter((d) => d.name !== ev.name);
      return;
    }
    try {
      this.upsert(await api.domain(ev.name));
    } catch (err) {
      if (err.status === 404) this.domains = this.domains.filter((d) => d.name !== ev.name);
    }
  }

  upsert(dom) {
    const rest = this.domains.filter((d) => d.name !== dom.name);
    this.domains = [...rest, dom].sort((a, b) => a.name.localeCompare(b.name));
  }

  async logout() {
    try { await api.logout(); } catch { /* gone anyway */ }
    this.loggedOut();
  }

  render() {
    return html`<header class="top">
        <a class="brand" href="#/">${t('title')}</a>
        ${this.authed ? html`<nav aria-label=${t('nav.main')}>${nav.map(([p, href, key]) => html`
          <a href=${href} aria-current=${this.section() === p ? 'page' : 'false'}>${t(key)}</a>`)}</nav>` : ''}
        ${this.authed && currentHost() ? html`<a href="#/hosts" class="current-host"
            data-testid="current-host">${t('hosts.current', currentHost())}</a>` : ''}
        ${this.authed ? html`<span class="live ${this.live ? 'on' : 'off'}" data-testid="live"
            role="status">${this.live ? t('live.connected') : t('live.lost')}</span>` : ''}
        <span class="spacer"></span>
        <label class="lang">${t('language')}
          <select data-testid="lang" @change=${(e) => setLang(e.target.value)}>
            ${Object.entries(languages).map(([k, v]) => html`<option value=${k} ?selected=${k === getLang()}>${v}</option>`)}
          </select></label>
        ${this.authed ? html`<button class="link" @click=${this.logout}>${t('logout')}</button>` : ''}
      </header>
      <main>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        ${keyed(currentHost(), this.body())}
      </main>`;
  }

  section() {
    const p = this.route.page;
    return p === 'domain' || p === 'new' ? 'list' : p;
  }

  body() {
    if (this.authed === null) return '';
    if (!this.authed)
      return html`<vr-login .notice=${this.notice} @logged-in=${() => this.loggedIn()}></vr-login>`;
    if (this.route.page === 'domain') {
      const d = this.domains.find((x) => x.name === this.route.name);
      return html`<vr-domain-page .name=${this.route.name} .tab=${this.route.tab} .domain=${d}
        @domain-changed=${(e) => this.upsert(e.detail)}></vr-domain-page>`;
    }
    if (this.route.page === 'new') return html`<vr-wizard></vr-wizard>`;
    if (this.route.page === 'host') return html`<vr-host-page></vr-host-page>`;
    if (this.route.page === 'networks') return html`<vr-networks-page .selected=${this.route.name}></vr-networks-page>`;
    if (this.route.page === 'storage') return html`<vr-storage-page .selected=${this.route.name}></vr-storage-page>`;
    if (this.route.page === 'hosts') return html`<vr-hosts-page></vr-hosts-page>`;
    if (this.route.page === 'templates') return html`<vr-templates-page></vr-templates-page>`;
    return html`<vr-domain-list .domains=${this.domains} .samples=${this.samples}></vr-domain-list>`;
  }
}
customElements.define('vr-app', VrApp);
