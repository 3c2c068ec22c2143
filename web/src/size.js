// Sizes for the host, networks and storage pages: bytes shown in binary
// units (the number written as the chosen language writes it: "1,5 GiB"
// in Spanish), and the units a person may type for a new volume.
import { getLang } from './i18n.js';

export const sizeUnits = [['MiB', 1024 ** 2], ['GiB', 1024 ** 3], ['TiB', 1024 ** 4]];

export function bytes(n) {
  if (n == null) return '';
  const units = [['B', 1], ['KiB', 1024], ...sizeUnits];
  let [name, div] = units[0];
  for (const [u, d] of units) if (n >= d) [name, div] = [u, d];
  const v = n / div;
  const digits = v >= 100 || div === 1 ? 0 : 1;
  return `${new Intl.NumberFormat(getLang(), { maximumFractionDigits: digits }).format(v)} ${name}`;
}

// Percent of part in whole, clamped to 0..100 (0 for an empty whole).
export function percent(part, whole) {
  return whole > 0 ? Math.min(100, Math.max(0, (100 * part) / whole)) : 0;
}
