// Small formatting helpers shared by the pages.
import { t } from './i18n.js';

export function memory(kib) {
  if (kib == null) return '';
  const mib = kib / 1024;
  return mib >= 1024 ? `${(mib / 1024).toFixed(mib % 1024 ? 1 : 0)} GiB` : `${Math.round(mib)} MiB`;
}

export function stateLabel(state) { return t(`state.${state}`); }

export function stateClass(state) { return `state state-${(state || '').replace(/\s+/g, '-')}`; }

// Text put inside XML the pages write (network, disk definitions).
export const xmlEscape = (s) => String(s).replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`);
