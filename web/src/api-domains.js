// The API calls of the VM pages and the wizard (docs/api.md): thin
// wrappers over call() so the pages read as what they do.
import { call, callXml, getText } from './api.js';

const d = (name) => `/v1/domains/${encodeURIComponent(name)}`;

export const domApi = {
  // secure: with graphics passwords, for a read-modify-define (the
  // hardware tab); a view leaves them out.
  xml: (name, inactive, secure) =>
    getText(`${d(name)}/xml?inactive=${inactive ? 1 : 0}${secure ? '&security_info=1' : ''}`),
  define: (xml) => callXml('POST', '/v1/domains', xml),
  stats: (name) => call('GET', `${d(name)}/stats`),
  interfaces: async (name) => (await call('GET', `${d(name)}/interfaces`)).interfaces,
  snapshots: async (name) => (await call('GET', `${d(name)}/snapshots`)).snapshots,
  snapshot: (name, snap, description) => call('POST', `${d(name)}/snapshots`, { name: snap, description }),
  revert: (name, snap) => call('POST', `${d(name)}/snapshots/${encodeURIComponent(snap)}/revert`),
  deleteSnapshot: (name, snap) => call('DELETE', `${d(name)}/snapshots/${encodeURIComponent(snap)}`),
  rename: (name, newName) => call('POST', `${d(name)}/rename`, { name: newName }),
  job: (id) => call('GET', `/v1/jobs/${id}`),
  undefine: (name, removeStorage) => call('DELETE', `${d(name)}${removeStorage ? '?remove_storage=1' : ''}`),
  autostart: (name, on) => call('PUT', `${d(name)}/autostart`, { autostart: on }),
  setMemory: (name, body) => call('PUT', `${d(name)}/memory`, body),
  install: (plan) => call('POST', '/v1/install', plan),
  osVariants: async () => (await call('GET', '/v1/os-variants')).os_variants,
  pools: async () => (await call('GET', '/v1/pools')).pools,
  volumes: async (pool) => (await call('GET', `/v1/pools/${encodeURIComponent(pool)}/volumes`)).volumes,
  networks: async () => (await call('GET', '/v1/networks')).networks,
};

// Follow a job until it ends; onProgress(job) on each answer.
export async function waitJob(id, onProgress) {
  for (;;) {
    const job = await domApi.job(id);
    onProgress?.(job);
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 400));
  }
}
