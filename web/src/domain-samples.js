// The VM list's live figures from the event feed's "stats" lines
// (GET /v1/events?stats=1, one line every 2 s for all running VMs):
// a CPU percentage per VM from the difference of two samples, kept for
// the last minute, and the addresses its interfaces hold now.
export const KEEP = 30; // samples per graph: a minute at one line every 2 s

export class DomainSamples {
  constructor() {
    this.prev = new Map(); // name -> {mono, cpu}
    this.byName = new Map(); // name -> {cpu: [percent...], addresses: [ip...]}
  }

  // Take one "stats" line; returns the new map (a new object, so a lit
  // property set from it redraws).
  update(ev) {
    const next = new Map();
    for (const [name, d] of Object.entries(ev.domains ?? {})) {
      const old = this.byName.get(name);
      let cpu = old?.cpu ?? [];
      const p = this.prev.get(name);
      if (p && d.cpu_time_ns >= 0 && ev.mono > p.mono) {
        const pct = ((d.cpu_time_ns - p.cpu) / 1e9 / (ev.mono - p.mono) / (d.vcpus || 1)) * 100;
        cpu = [...cpu, Math.max(0, pct)].slice(-KEEP);
      }
      this.prev.set(name, { mono: ev.mono, cpu: d.cpu_time_ns });
      next.set(name, { cpu, addresses: d.addresses ?? [] });
    }
    // A VM missing from the line stopped: its graph starts afresh next time.
    for (const name of [...this.prev.keys()]) if (!next.has(name)) this.prev.delete(name);
    this.byName = next;
    return next;
  }
}
