// <vr-login>: the token form. Fires `logged-in` once the daemon took it.
import { LitElement, html } from 'lit';
import { api } from './api.js';
import { t } from './i18n.js';

export class VrLogin extends LitElement {
  static properties = { error: { state: true }, busy: { state: true }, notice: {} };

  createRenderRoot() { return this; }

  render() {
    return html`<form class="login card" @submit=${this.submit} novalidate>
      <h1>${t('login.heading')}</h1>
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : ''}
      <p>${t('login.help')}</p>
      <label for="token">${t('login.token')}</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required
             aria-invalid=${this.error ? 'true' : 'false'} aria-describedby="login-error" autofocus>
      <p id="login-error" class="error" role="alert" data-testid="login-error">${this.error ?? ''}</p>
      <button type="submit" ?disabled=${this.busy}>${t('login.submit')}</button>
    </form>`;
  }

  async submit(e) {
    e.preventDefault();
    const token = this.querySelector('#token').value.trim();
    this.busy = true;
    this.error = null;
    try {
      await api.login(token);
      this.dispatchEvent(new CustomEvent('logged-in', { bubbles: true }));
    } catch (err) {
      this.error = err.status === 401 ? t('login.wrong') : t('login.failed', err.message);
      this.querySelector('#token').focus();
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('vr-login', VrLogin);
