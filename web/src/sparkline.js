// <vr-sparkline .values=${[...]} max=N points=N label="...">: a small line graph
// in SVG (no chart library: one path is all a live graph needs).
import { LitElement, html, svg } from 'lit';

export class VrSparkline extends LitElement {
  // points: how many samples the width holds (the newest at the right).
  static properties = { values: { attribute: false }, max: { type: Number }, points: { type: Number }, label: {} };

  createRenderRoot() { return this; }

  render() {
    const v = this.values ?? [];
    const w = 240, h = 48, n = this.points || 60;
    const max = this.max || Math.max(1, ...v);
    const pts = v.slice(-n).map((y, i, a) => `${((n - a.length + i) / (n - 1)) * w},${h - (Math.min(y, max) / max) * (h - 2) - 1}`);
    return html`<svg class="sparkline" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img"
        aria-label=${this.label ?? ''}>
      ${pts.length > 1 ? svg`<polyline points=${pts.join(' ')} fill="none" stroke="currentColor" stroke-width="1.5"
        vector-effect="non-scaling-stroke"/>` : ''}</svg>`;
  }
}
customElements.define('vr-sparkline', VrSparkline);
