// host-validate's findings in the page's language. The daemon words each
// verdict in English (detail, hint: what the CLI prints) and also gives
// it as a stable code with the values it names (code, hint_code, params;
// docs/api.md "GET /v1/host/validate"). A language with a template for
// the code says it from those; any other code (a newer daemon's) keeps
// the daemon's English. English itself needs no template.
import { addStrings, getLang, t } from './i18n.js';

addStrings({
  es: {
    // What was found: 'host.v.' + code.
    'host.v.cpu.unreadable': 'no se pudo leer /proc/cpuinfo',
    'host.v.cpu.virt': '{ext} ({flag}, {model})',
    'host.v.cpu.in-vm': 'sin la marca vmx/svm: este anfitrión es a su vez una máquina virtual ({model})',
    'host.v.cpu.virt-off': 'sin la marca vmx/svm en {model}: la CPU no la tiene o el firmware la desactivó',
    'host.v.kvm.absent': 'falta /dev/kvm; las máquinas virtuales se ejecutarán con la emulación TCG',
    'host.v.kvm.no-access': 'no se puede abrir /dev/kvm ({error}); las máquinas virtuales se ejecutarán con la emulación TCG',
    'host.v.kvm.bad-api': '/dev/kvm habla la API {api}, no la 12; las máquinas virtuales se ejecutarán con la emulación TCG',
    'host.v.kvm.test-exit': 'KVM no es utilizable aquí para invitados completos: un invitado de prueba se detuvo '
      + 'con el motivo de salida {exit_reason}; las máquinas virtuales se ejecutarán con la emulación TCG',
    'host.v.kvm.probe-failed': 'KVM no es utilizable aquí para invitados completos: falló {step} ({error}); '
      + 'las máquinas virtuales se ejecutarán con la emulación TCG',
    'host.v.kvm.hardware': 'un invitado de prueba se ejecutó a velocidad de hardware ({mloops} M bucles/s)',
    'host.v.kvm.slow': 'KVM no es utilizable aquí para invitados completos; las máquinas virtuales se ejecutarán '
      + 'con la emulación TCG (/dev/kvm ejecutó un invitado de prueba a {mloops} M bucles/s, unas {slower} veces '
      + 'más lento que la virtualización por hardware)',
    'host.v.kvm.paravirtual': 'KVM no es utilizable aquí para invitados completos; las máquinas virtuales se '
      + 'ejecutarán con la emulación TCG (/dev/kvm funciona, pero la CPU no muestra vmx/svm: es un KVM '
      + 'paravirtual que se detiene ante instrucciones que usan los invitados completos)',
    'host.v.kvm.device-missing': 'no está',
    'host.v.kvm.device-denied': 'presente, pero {error}',
    'host.v.kvm.device-module': '{module}',
    'host.v.kvm.device-present': 'presente',
    'host.v.kvm.nested-on': 'activada en {module}: sus máquinas virtuales pueden ejecutar máquinas virtuales',
    'host.v.kvm.nested-off': 'desactivada en {module}: las máquinas virtuales no pueden usar KVM a su vez',
    'host.v.tun.present': 'presente',
    'host.v.tun.missing': 'no está',
    'host.v.tun.denied': 'presente, pero sin acceso',
    'host.v.bridge.works': 'el núcleo crea puentes (probado en un espacio de nombres de red privado)',
    'host.v.bridge.refused': 'el núcleo se negó a crear un puente (¿falta el módulo `bridge`?)',
    'host.v.bridge.unavailable': 'no se pueden crear puentes: {why}',
    'host.v.bridge.untested-not-root': 'sin probar: solo root puede probarlo',
    'host.v.bridge.untested-no-ip-tool': 'sin probar: falta la herramienta `ip` (iproute2)',
    'host.v.bridge.untested-no-netns': 'sin probar: no se pudo crear un espacio de nombres de red para la prueba',
    'host.v.bridge.untested': 'sin probar: {why}',
    'host.v.firewall.untested': 'sin probar: {why}',
    'host.v.firewall.open': 'ninguna cadena forward ajena a Vireo descarta tráfico',
    'host.v.firewall.bridges-accepted': 'las cadenas forward que descartan tráfico aceptan los puentes de las '
      + 'redes de Vireo',
    'host.v.firewall.forward-drop': 'la tabla {family} {table}, cadena {chain} (hook forward) tiene la política '
      + 'drop: descarta lo que envían los invitados de las redes NAT y enrutadas',
    'host.v.firewall.forward-reject': 'la tabla {family} {table}, cadena {chain} (hook forward) termina en un '
      + 'drop o reject incondicional (regla {rule_handle}): descarta lo que envían los invitados de las redes '
      + 'NAT y enrutadas',
    'host.v.cgroup.ok': 'cgroup v2: {controllers}',
    'host.v.cgroup.missing': 'cgroup v2 no tiene {missing} (jerarquía unificada)',
    'host.v.cgroup.missing-v1': 'cgroup v2 no tiene {missing} (el anfitrión usa cgroup v1 o la jerarquía híbrida)',
    'host.v.tool.found': '{version}',
    'host.v.storage.block-ok': 'pueden servirse pools dir, fs y disk',
    'host.v.storage.not-root': 'no es root: solo pueden servirse pools dir (escribir tablas de particiones y '
      + 'montar necesitan root)',
    'host.v.storage.mkfs-ok': 'mkfs.ext4 y mkfs.xfs encontrados',
    'host.v.storage.mkfs-missing': 'falta un mkfs: pool-build no puede crear ese sistema de ficheros',
    'host.v.storage.iscsi-ok': 'módulo block-iscsi encontrado: los invitados pueden usar LUN de pools iscsi-direct',
    'host.v.storage.iscsi-missing': 'falta el módulo block-iscsi de QEMU: los pools iscsi-direct listan sus LUN, '
      + 'pero ningún invitado puede usarlos',
    'host.v.tool.qemu-missing': 'no está en el PATH; no puede ejecutarse ninguna máquina virtual',
    'host.v.tool.qemu-img-missing': 'no está en el PATH; no pueden crearse imágenes de disco',
    'host.v.tool.dnsmasq-missing': 'no está en el PATH; las redes virtuales no tienen DHCP',
    'host.v.host.memory': '{gib} GiB: hay sitio para unos {small} invitados sin escritorio (512 MiB), '
      + '{large} con escritorio (2 GiB)',
    'host.v.host.cores': '{cores}',
    'host.v.host.disk': '{gb} GB libres en {path}',
    // What to do: 'host.h.' + hint_code.
    'host.h.mount-proc': 'monte /proc y vuelva a ejecutar host-validate',
    'host.h.cpu-nested-outer': 'active la virtualización anidada de {ext} en el hipervisor exterior para tener '
      + 'velocidad de hardware; mientras tanto las máquinas virtuales funcionan con la emulación TCG',
    'host.h.cpu-firmware': 'active {ext} en la configuración de la BIOS/UEFI (suele estar en CPU o Seguridad); '
      + 'mientras tanto las máquinas virtuales funcionan con la emulación TCG',
    'host.h.load-kvm-module': 'cargue el módulo: modprobe kvm_intel (o kvm_amd)',
    'host.h.enable-virt-first': 'active primero VT-x/AMD-V (vea la línea de la CPU)',
    'host.h.join-kvm-group': 'añada su usuario al grupo kvm (usermod -aG kvm USUARIO) y vuelva a iniciar sesión',
    'host.h.update-kernel': 'actualice el núcleo',
    'host.h.check-dmesg': 'busque errores de kvm en dmesg; mientras tanto TCG funciona, solo que más lento',
    'host.h.nested-outer': 'active la virtualización anidada en el hipervisor exterior',
    'host.h.firmware': 'active VT-x/AMD-V en la configuración de la BIOS/UEFI',
    'host.h.modprobe-kvm': 'modprobe kvm_intel o kvm_amd (necesita VT-x/AMD-V)',
    'host.h.nested-module': "solo hace falta para prácticas dentro de máquinas virtuales: echo 'options {module} "
      + "nested=1' > /etc/modprobe.d/{module}.conf y vuelva a cargar el módulo",
    'host.h.modprobe-tun': 'modprobe tun; sin él los invitados solo tienen red en modo usuario',
    'host.h.root-networks': 'ejecútelo como root para tener redes en puente y con NAT',
    'host.h.modprobe-bridge': 'modprobe bridge; sin él solo funciona la red en modo usuario',
    'host.h.root-test': 'ejecute host-validate como root para probarlo',
    'host.h.firewall-accept-nft': 'para aceptar el tráfico de {bridge}: {command}',
    'host.h.firewall-accept-iptables': 'para aceptar el tráfico de {bridge}: {command}',
    'host.h.unified-cgroup': 'arranque con systemd.unified_cgroup_hierarchy=1 para poder limitar la CPU y la '
      + 'memoria de cada máquina virtual; sin eso funcionan sin límites',
    'host.h.apt-install': 'apt-get install {package} (o: make deps)',
    'host.h.system-daemon': 'use el demonio del sistema (vireo:///system, vireod como root) para pools disk y fs',
    'host.h.memory-advice': 'se aconsejan 8 GB para un anfitrión de prácticas; dé a los invitados 512 MB sin '
      + 'escritorio, 1-2 GB con escritorio y 2 GB a Windows',
    'host.h.cores-advice': 'se aconsejan 4 núcleos; no dé a ningún invitado más vCPU que núcleos',
    'host.h.disk-advice': 'se aconsejan 100 GB para ISO e imágenes de disco; los discos qcow2 solo ocupan lo '
      + 'que escribe el invitado',
  },
});

// A value as this language writes it: numbers with its decimal mark,
// lists with its "and".
function word(v) {
  if (typeof v === 'number') return v.toLocaleString(getLang(), { maximumFractionDigits: 2 });
  if (Array.isArray(v)) return new Intl.ListFormat(getLang(), { type: 'conjunction' }).format(v.map(String));
  return v == null ? '' : String(v);
}

// The template under key with {name}s filled from params, or `english`
// when this language has none.
function say(key, params, english) {
  const s = t(key);
  if (s === key) return english;
  return s.replace(/\{([a-z_]+)\}/g, (_, name) => word(params?.[name]));
}

export function finding(check) {
  return check.code ? say(`host.v.${check.code}`, check.params, check.detail ?? '') : check.detail ?? '';
}

export function advice(check) {
  return check.hint_code ? say(`host.h.${check.hint_code}`, check.params, check.hint) : check.hint;
}
