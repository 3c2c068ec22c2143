// English and Spanish (the course's language). The language comes from
// the browser (navigator.language) unless the user picked one.
const strings = {
  en: {
    title: 'Vireo',
    'login.heading': 'Log in',
    'login.help': 'Paste the token that `vireo web-token` prints on the host.',
    'login.token': 'Token',
    'login.submit': 'Log in',
    'login.wrong': 'Wrong token. `vireo web-token` prints the right one.',
    'login.failed': 'Could not log in: {0}',
    'login.expired': 'Your session ended (it expired, or you logged out in another tab). Log in again.',
    logout: 'Log out',
    language: 'Language',
    'list.heading': 'Virtual machines',
    'list.empty': 'No virtual machines are defined.',
    'list.new': 'New virtual machine',
    'col.name': 'Name', 'col.state': 'State', 'col.vcpus': 'vCPUs', 'col.memory': 'Memory',
    'state.running': 'running', 'state.paused': 'paused', 'state.in shutdown': 'shutting down',
    'state.shut off': 'shut off',
    'act.start': 'Start', 'act.shutdown': 'Shut down', 'act.destroy': 'Force off',
    'act.suspend': 'Pause', 'act.resume': 'Resume',
    'dom.back': 'All virtual machines',
    'dom.gone': "The virtual machine '{0}' no longer exists (deleted elsewhere?).",
    'dom.console': 'Serial console',
    'dom.console.off': 'The console is available while the machine runs.',
    'dom.console.ended': 'The console stream ended.',
    'live.connected': 'live', 'live.lost': 'connection to vireod lost; reconnecting…',
    'err.generic': 'Error: {0}',
    'nav.domains': 'Virtual machines', 'nav.host': 'Host', 'nav.networks': 'Networks',
    'nav.storage': 'Storage', 'nav.templates': 'Templates', 'nav.main': 'Sections',
  },
  es: {
    title: 'Vireo',
    'login.heading': 'Iniciar sesión',
    'login.help': 'Pegue el token que imprime `vireo web-token` en el anfitrión.',
    'login.token': 'Token',
    'login.submit': 'Entrar',
    'login.wrong': 'Token incorrecto. `vireo web-token` imprime el correcto.',
    'login.failed': 'No se pudo iniciar sesión: {0}',
    'login.expired': 'Su sesión terminó (caducó o cerró la sesión en otra pestaña). Vuelva a iniciar sesión.',
    logout: 'Cerrar sesión',
    language: 'Idioma',
    'list.heading': 'Máquinas virtuales',
    'list.empty': 'No hay máquinas virtuales definidas.',
    'list.new': 'Nueva máquina virtual',
    'col.name': 'Nombre', 'col.state': 'Estado', 'col.vcpus': 'vCPU', 'col.memory': 'Memoria',
    'state.running': 'en ejecución', 'state.paused': 'en pausa', 'state.in shutdown': 'apagándose',
    'state.shut off': 'apagada',
    'act.start': 'Iniciar', 'act.shutdown': 'Apagar', 'act.destroy': 'Forzar apagado',
    'act.suspend': 'Pausar', 'act.resume': 'Reanudar',
    'dom.back': 'Todas las máquinas virtuales',
    'dom.gone': "La máquina virtual '{0}' ya no existe (¿se borró en otro sitio?).",
    'dom.console': 'Consola serie',
    'dom.console.off': 'La consola está disponible mientras la máquina está en ejecución.',
    'dom.console.ended': 'La consola se cerró.',
    'live.connected': 'en vivo', 'live.lost': 'conexión con vireod perdida; reconectando…',
    'err.generic': 'Error: {0}',
    'nav.domains': 'Máquinas virtuales', 'nav.host': 'Anfitrión', 'nav.networks': 'Redes',
    'nav.storage': 'Almacenamiento', 'nav.templates': 'Plantillas', 'nav.main': 'Secciones',
  },
};

export const languages = { en: 'English', es: 'Español' };

// Each page module brings its own strings: addStrings({ en: {...}, es: {...} }).
export function addStrings(table) {
  for (const [l, keys] of Object.entries(table)) Object.assign(strings[l] ??= {}, keys);
}

function initial() {
  const saved = localStorage.getItem('vireo.lang');
  if (saved && strings[saved]) return saved;
  const nav = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return strings[nav] ? nav : 'en';
}

let lang = initial();
const listeners = new Set();

export function getLang() { return lang; }
export function setLang(l) {
  if (!strings[l]) return;
  lang = l;
  localStorage.setItem('vireo.lang', l);
  document.documentElement.lang = l;
  for (const f of listeners) f();
}
export function onLangChange(f) { listeners.add(f); }

export function t(key, ...args) {
  const s = strings[lang][key] ?? strings.en[key] ?? key;
  return s.replace(/\{(\d)\}/g, (_, i) => args[Number(i)] ?? '');
}
document.documentElement.lang = lang;
