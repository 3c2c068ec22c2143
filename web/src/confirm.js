// <vr-confirm label="Delete" question="Delete 'x'?" yes="Yes, delete" no="Cancel">:
// a destructive action's button that asks first, in place (no modal):
// the button turns into the question with two buttons, focused on
// Cancel. Fires `confirmed` on yes.
import { LitElement, html } from 'lit';

export class VrConfirm extends LitElement {
  static properties = {
    label: {}, question: {}, yes: {}, no: {},
    disabled: { type: Boolean },
    asking: { state: true },
  };

  createRenderRoot() { return this; }

  render() {
    if (!this.asking)
      return html`<button class="danger" ?disabled=${this.disabled} data-testid="confirm-ask"
        @click=${this.ask}>${this.label}</button>`;
    return html`<span class="confirm" role="group" aria-label=${this.question}>
      <span>${this.question}</span>
      <button class="danger" data-testid="confirm-yes" @click=${this.confirm}>${this.yes}</button>
      <button class="cancel" data-testid="confirm-no" @click=${this.cancel}>${this.no}</button></span>`;
  }

  async ask() {
    this.asking = true;
    await this.updateComplete;
    this.querySelector('button.cancel')?.focus();
  }

  async cancel() {
    this.asking = false;
    await this.updateComplete;
    this.querySelector('button')?.focus();
  }

  confirm() {
    this.asking = false;
    this.dispatchEvent(new CustomEvent('confirmed', { bubbles: true }));
  }
}
customElements.define('vr-confirm', VrConfirm);
