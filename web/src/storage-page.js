// <vr-storage-page>: placeholder until the page is written.
import { LitElement, html } from 'lit';

class El extends LitElement {
  static properties = { selected: {} };
  createRenderRoot() { return this; }
  render() { return html`<p>…</p>`; }
}
customElements.define('vr-storage-page', El);
