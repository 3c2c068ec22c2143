// What the host, networks and storage pages share: reading the API into
// a property with the error shown instead, and (ListPage) a list whose
// actions report errors in the row that caused them, with a form whose
// errors land by their fields.
import { LitElement, html } from 'lit';
import { call } from './api.js';
import { t } from './i18n.js';

// GET `path` into el[prop] (its `key` member if given); a failure sets
// el[errProp] to the message under errKey, a success clears it.
export async function fetchInto(el, prop, path, { key, errProp = 'error', errKey = 'err.generic' } = {}) {
  try {
    const data = await call('GET', path);
    el[prop] = key ? data[key] : data;
    el[errProp] = null;
  } catch (err) {
    el[errProp] = t(errKey, err.message);
  }
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
