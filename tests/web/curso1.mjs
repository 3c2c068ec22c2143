// curso1's units 3-7 in the web manager, in one run, in Spanish (the
// browser's locale is es-ES), every step by clicking, each result checked
// on the page and with the vireo CLI (and qemu-img, qemu-io, sfdisk,
// findmnt), a screenshot of each: VMs made with the wizard from an ISO
// and from an imported disk, a template and a VM from it (3); the details
// tab's firmware, TPM, sound and serial devices, hardware added and
// removed (4); storage pools of every kind the daemon serves with their
// secrets, a volume made and attached (5); a NAT network with IPv6 and
// DNS and an isolated one (6); a linked clone, a snapshot made and
// reverted (7).
// tests/integration/web-curso1.sh runs this in its network namespace.
// Environment: VIREO_WEB_URL, VIREO_WEB_TOKEN, VIREO_CLI (VIREO_DEFAULT_URI
// set), VIREO_ARTIFACTS, VIREO_SRC, VIREO_DISK_DEV and VIREO_FS_DEV (loop
// devices), VIREO_FS_MOUNT, VIREO_ISCSI_PORTAL and VIREO_ISCSI_IQN (tgtd,
// CHAP user alumno), VIREO_SCRATCH (a directory of the test's),
// VIREO_DAEMON_PID (the daemon, whose mounts are its own).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counter, env, launch, login, runSteps, watch } from './lib.mjs';

const url = env('VIREO_WEB_URL');
const cli = env('VIREO_CLI');
const shots = env('VIREO_ARTIFACTS');
mkdirSync(shots, { recursive: true });

const ok = counter('curso1');
const vireo = (...args) => execFileSync(cli, args, { encoding: 'utf8' });
const sh = (cmd, ...args) => execFileSync(cmd, args, { encoding: 'utf8' });
// XML from the CLI with its attributes in one kind of quote, for matching.
const dumpxml = (...args) => vireo(...args).replaceAll('"', "'");
function check(cond, what) { if (!cond) throw new Error(what); }
function has(text, re, what) { check(re.test(text), `${what}: /${re.source}/ not in:\n${text}`); }

const tmp = mkdtempSync(join(tmpdir(), 'vireo-curso1-'));
const ctx = await launch(join(tmp, 'profile'), { width: 1200, height: 900 }, { locale: 'es-ES' });
const page = ctx.pages()[0] ?? await ctx.newPage();
let step = 0;
const shot = (name) => page.screenshot({ path: join(shots, `curso1-${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
const problems = [];
// 401 before logging in; 400, 404, 409 and 403: the refusals this test provokes.
// The rbd pool's start against a monitor that is not there fails as the
// system's failure (500, as an unreachable iSCSI portal): provoked once.
watch(page, problems, { test: (s) => /status of (401|400|403|404|409)/.test(s) ||
  /status of 500 .*\/v1\/pools\/cursoceph\/start\)$/.test(s) });
const text = async (sel) => (await page.locator(sel).first().textContent()).trim();
const waitText = (sel, re, timeout = 20000) => page.waitForFunction(([s, src]) =>
  new RegExp(src).test(document.querySelector(s)?.textContent ?? ''), [sel, re.source], { timeout });

// ---- unit 3: new VMs with the wizard: from an ISO, imported from a disk ----

const tab = async (name) => {
  await page.click(`nav.tabs a[data-tab=${name}]`);
  await page.waitForSelector(`nav.tabs a[data-tab=${name}][aria-current=page]`);
};
const domstate = (name) => vireo('domstate', name).trim();

// Steps 2-4 of the wizard: OS generic (pc, IDE: the tiny guest's kernel
// has the drivers), 256 MiB, 1 vCPU; `disk` GiB in pool default; the
// network; started.
async function wizardRest(name, network, disk) {
  await page.click('[data-testid=wiz-next]');
  await page.waitForSelector('[data-testid=wizard][data-step="2"]');
  await page.selectOption('#wiz-os', 'generic');
  await page.fill('#wiz-name', name);
  await page.fill('#wiz-memory', '256');
  await page.fill('#wiz-vcpus', '1');
  await page.click('[data-testid=wiz-next]');
  await page.waitForSelector('[data-testid=wizard][data-step="3"]');
  if (disk) await page.fill('#wiz-size', disk);
  await page.selectOption('#wiz-network', network);
  check(await page.isChecked('[data-testid=wiz-start]'), 'the wizard does not start the VM by default');
  await page.click('[data-testid=wiz-next]');
  await page.waitForSelector('[data-testid=wiz-summary]');
  await shot(`asistente-${name}`);
  await page.click('[data-testid=wiz-create]');
  await page.waitForFunction((n) => location.hash === `#/domains/${n}`, name);
  await waitText('[data-testid=domain-state]', /^en ejecución$/, 30000);
}

async function newVms() {
  const images = env('VIREO_IMAGES_DIR');
  await page.click('nav a[href="#/"]');
  await page.click('[data-testid=new-vm]');
  await page.waitForSelector('[data-testid=wizard][data-step="1"]');
  await page.check('input[name=source][value=cdrom]');
  await page.fill('#wiz-iso', env('VIREO_TINY_ISO'));
  await wizardRest('cursoiso', 'network:default', '1');
  check(domstate('cursoiso') === 'running', 'cursoiso does not run');
  has(vireo('domblklist', 'cursoiso'), /tiny\.iso/, 'domblklist cursoiso: the ISO');
  has(vireo('vol-list', 'default'), /cursoiso\.qcow2/, 'vol-list default: the new disk');
  has(dumpxml('dumpxml', 'cursoiso'), /<source network='default'\/>/, 'dumpxml cursoiso: on the default network');
  await shot('mv-desde-iso');
  ok('wizard, from an ISO: cursoiso runs with the ISO as CD-ROM, a new 1 GiB disk in default, on network default (domblklist, vol-list, dumpxml)');
  vireo('destroy', 'cursoiso');

  await page.click('nav a[href="#/"]');
  await page.click('[data-testid=new-vm]');
  await page.check('input[name=source][value=import]');
  await page.selectOption('#wiz-importVol', 'default/importado.qcow2');
  await wizardRest('cursoimport', 'user', null);
  check(domstate('cursoimport') === 'running', 'cursoimport does not run');
  has(vireo('domblklist', 'cursoimport'), new RegExp(`${images}/importado\\.qcow2`), 'domblklist cursoimport');
  await shot('mv-importada');
  ok('wizard, importing the disk importado.qcow2: cursoimport runs from it (domblklist)');
  vireo('destroy', 'cursoimport');
}

// ---- unit 4: hardware added and removed ----

async function hardware() {
  await page.goto(`${url}#/domains/cursoimport/hardware`);
  await page.waitForSelector('[data-testid=hw-add]');
  await page.waitForFunction(() => document.querySelectorAll('#add-pool option').length > 0);
  await page.selectOption('#add-vol', '__new__');
  await page.fill('#add-volname', 'extra.qcow2');
  await page.fill('#add-size', '1');
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-status]', /Añadido|Disco/, 30000);
  const added = vireo('domblklist', 'cursoimport', '--inactive');
  const target = added.match(/^ (\S+) +\S*extra\.qcow2$/m)?.[1];
  check(target, `domblklist --inactive after the add: ${added}`);
  await page.waitForSelector(`tr[data-disk=${target}]`);
  await shot('hardware-anadido');
  ok(`hardware: a new 1 GiB volume extra.qcow2 added as ${target} (domblklist --inactive)`);
  await page.click(`[data-testid=hw-remove-${target}]`);
  await waitText('[data-testid=hw-row-status]', new RegExp(`Quitado ${target}`), 30000);
  check(!/extra\.qcow2/.test(vireo('domblklist', 'cursoimport', '--inactive')), 'extra.qcow2 still attached');
  ok(`hardware: ${target} removed again (domblklist --inactive)`);
}

// ---- unit 5: pools of every kind, and their secrets ----

const poolForm = '[data-testid=pool-form]';
async function newPool(name, kind, fields) {
  await page.fill('#pool-name', name);
  await page.selectOption('#pool-type', kind);
  for (const [sel, value] of Object.entries(fields)) {
    if (sel.startsWith('select:')) await page.selectOption(sel.slice(7), value);
    else await page.fill(sel, value);
  }
}
const poolActive = (name) => waitText(`tr[data-pool=${name}] [data-testid=pool-state]`, /^activo$/);
const submitPool = () => page.click(`${poolForm} button[type=submit]`);

async function diskPool() {
  const dev = env('VIREO_DISK_DEV');
  const part = `${dev.replace('/dev/', '')}p1`;
  await page.click('nav a[href="#/storage"]');
  await waitText('h1', /^Almacenamiento$/);
  await newPool('cursodisco', 'disk', { '#pool-dev': dev, 'select:#pool-format': 'gpt' });
  await submitPool();
  await waitText('[data-testid=pool-overwrite-error]', /already holds a partition table of type dos/);
  check(!/cursodisco/.test(vireo('pool-list', '--all')), 'a refused disk pool stays defined');
  await shot('grupo-disco-tabla-existente');
  ok(`the old dos table: refused by the "overwrite" box, nothing defined ("${await text('[data-testid=pool-overwrite-error]')}")`);

  await page.check('[data-testid=pool-overwrite]');
  await submitPool();
  await waitText('[data-testid=pool-overwrite-q]', new RegExp(`Se borrará todo lo que hay en ${dev}`));
  check(sh('sfdisk', '-d', dev).includes('label: dos'), 'the table changed before the question was answered');
  await shot('grupo-disco-confirmar');
  await page.click('[data-testid=pool-overwrite-yes]');
  await poolActive('cursodisco');
  check(await text('tr[data-pool=cursodisco] [data-testid=pool-type]') === 'disco', 'disk pool kind');
  check(sh('sfdisk', '-d', dev).includes('label: gpt'), 'sfdisk sees no gpt label');
  has(dumpxml('pool-dumpxml', 'cursodisco'), new RegExp(`<device path='${dev}'/>\\s*<format type='gpt'/>`), 'pool-dumpxml');
  ok('disk pool cursodisco: asked before erasing, gpt written (sfdisk), active, pool-dumpxml has the device');

  // A partition as a volume, from the volume form.
  await page.fill('#vol-name', part);
  await page.fill('#vol-size', '8');
  await page.selectOption('[data-testid=vol-form] select[name=unit]', 'MiB');
  await page.selectOption('#vol-format', 'raw');
  await page.click('[data-testid=vol-form] button[type=submit]');
  await page.waitForSelector(`tr[data-volume="${part}"]`);
  has(vireo('vol-list', 'cursodisco'), new RegExp(`${part} +/dev/${part}`), 'vol-list cursodisco');
  await shot('grupo-disco-particion');
  ok(`partition ${part} made from the volume form (vol-list)`);

  // Attached to a VM from the volume's row.
  await page.click(`tr[data-volume="${part}"] [data-action=attach]`);
  await page.waitForSelector('[data-testid=attach-dialog]');
  await page.selectOption('#att-vm', 'cursoiso');
  await page.click('[data-testid=attach-go]');
  await page.waitForSelector('[data-testid=attach-dialog]', { state: 'detached' });
  has(vireo('domblklist', 'cursoiso', '--inactive'), new RegExp(`/dev/${part}$`, 'm'), 'domblklist cursoiso');
  await shot('volumen-conectado');
  ok(`partition ${part} attached to cursoiso from its row (domblklist --inactive)`);
}

async function fsPool() {
  const dev = env('VIREO_FS_DEV');
  const mnt = env('VIREO_FS_MOUNT');
  await newPool('cursofs', 'fs', { '#pool-dev': dev, 'select:#pool-format': 'ext4', '#pool-path': 'datos' });
  await submitPool();
  await waitText('[data-testid=pool-path-error]', /ruta absoluta/);
  ok('a relative mount point is refused by its field, in Spanish');
  await page.fill('#pool-path', mnt);
  await submitPool();
  await poolActive('cursofs');
  check(await text('tr[data-pool=cursofs] [data-testid=pool-type]') === 'sistema de archivos', 'fs pool kind');
  // The daemon mounts in its own mount namespace (ip netns exec makes one).
  const mounted = sh('findmnt', '--task', env('VIREO_DAEMON_PID'), '-n', '-o', 'SOURCE,FSTYPE', '--target', mnt).trim();
  check(new RegExp(`^${dev} +ext4$`).test(mounted), `findmnt ${mnt}: ${mounted}`);
  await shot('grupo-fs');
  ok(`fs pool cursofs: ext4 made on ${dev} and mounted at its target (findmnt: ${mounted})`);
}

async function iscsiPool() {
  const iqn = env('VIREO_ISCSI_IQN');
  const fields = { '#pool-host': env('VIREO_ISCSI_PORTAL'), '#pool-iqn': iqn,
    '#pool-initiator': 'iqn.2026-12.curso.vireo:anfitrion' };
  await newPool('cursoiscsi', 'iscsi-direct', fields);
  await page.check(`${poolForm} input[name=auth][value=new]`);
  await page.fill('#pool-user', 'alumno');
  await page.fill('#pool-secretname', 'curso-chap');
  await page.fill('#pool-secretvalue', 'no-es-la-clave');
  await submitPool();
  await waitText('[data-testid=pool-auth-error]', /check the CHAP user and the value of its secret/);
  check(!/cursoiscsi/.test(vireo('pool-list', '--all')), 'a refused iSCSI pool stays defined');
  check(!/curso-chap/.test(vireo('secret-list')), 'the secret made for a refused pool is left');
  await shot('grupo-iscsi-chap-erroneo');
  ok('a wrong CHAP password: refused by the authentication field; neither the pool nor its new secret is left');

  await page.fill('#pool-secretvalue', 'Chap-Curso-2026');
  await submitPool();
  await poolActive('cursoiscsi');
  await page.waitForSelector('tr[data-volume="unit:0:0:1"]');
  has(vireo('vol-list', 'cursoiscsi', '--details'), /unit:0:0:1 .*32\.00 MiB/, 'vol-list cursoiscsi');
  const xml = dumpxml('pool-dumpxml', 'cursoiscsi');
  has(xml, new RegExp(`<device path='${iqn}'/>`), 'the target');
  has(xml, /<auth type='chap' username='alumno'>\s*<secret uuid='[0-9a-f-]+'\/>/, 'the CHAP auth');
  ok('iSCSI pool cursoiscsi with a CHAP secret made on the page: active, its 32 MiB LUN listed (vol-list, pool-dumpxml)');

  await page.waitForSelector('[data-testid=secret-list] tr[data-usage=curso-chap]');
  check(await text('tr[data-usage=curso-chap] [data-testid=secret-value]') === 'guardado (oculto)', 'secret value column');
  check(/curso-chap/.test(vireo('secret-list')), 'secret-list has no curso-chap');
  check(!(await page.content()).includes('Chap-Curso-2026'), 'the CHAP password is in the page');
  await page.locator('[data-testid=secret-list]').scrollIntoViewIfNeeded();
  await shot('grupo-iscsi-secretos');
  ok('the secret is listed as "CHAP de iSCSI: curso-chap", value "guardado (oculto)"; the password is nowhere in the page');
}

// ---- unit 3 (and issue 20): a template, and a VM made from it ----

async function templates() {
  const images = env('VIREO_IMAGES_DIR');
  await page.click('nav a[href="#/templates"]');
  await waitText('h1', /^Plantillas$/);
  await page.waitForSelector('[data-testid=tpl-empty]');
  await page.selectOption('#tpl-domain', 'curso-base');
  await page.fill('#tpl-hostname', 'mal_nombre');
  await page.click('[data-testid=tpl-go]');
  await waitText('[data-testid=tpl-hostname-error]', /letras, cifras y guiones/);
  ok('a host name with "_" is refused by its field, in Spanish');

  await page.fill('#tpl-hostname', 'plantilla-curso');
  await page.fill('#tpl-firstboot', 'echo hola > /root/primer-arranque');
  const t0 = Date.now();
  await page.click('[data-testid=tpl-go]');
  await page.waitForSelector('[data-testid=tpl-progress]');
  await shot('plantilla-progreso');
  // The job's end: done, or its error by the form (shown in the failure).
  await page.waitForFunction(() => ['tpl-done', 'tpl-form-error', 'tpl-domain-error']
    .some((id) => document.querySelector(`[data-testid=${id}]`)?.textContent.trim()), null, { timeout: 200000 });
  check(/'curso-base' ya es una plantilla/.test(await text('[data-testid=tpl-done]')),
    `the template job: ${await text('[data-testid=tpl-form-error]')} ${await text('[data-testid=tpl-domain-error]')}`);
  const secs = Math.round((Date.now() - t0) / 1000);
  await page.waitForSelector('tr[data-template=curso-base]');
  has(dumpxml('dumpxml', 'curso-base'), /vireo:template/, 'dumpxml curso-base: the template mark');
  check(JSON.parse(vireo('dominfo', 'curso-base', '--json')).template === true, 'dominfo --json: template');
  await shot('plantilla-hecha');
  ok(`curso-base made a template from the page (hostname, first-boot command; job followed, ${secs} s): dumpxml has the mark`);

  await page.click('tr[data-template=curso-base] [data-action=new-vm]');
  await page.fill('#tpl-vm-name', 'desde-plantilla');
  await page.click('[data-testid=tpl-vm-go]');
  await waitText('[data-testid=tpl-vm-done]', /MV 'desde-plantilla' creada desde la plantilla curso-base/);
  const info = JSON.parse(sh('qemu-img', 'info', '-U', '--output=json', join(images, 'desde-plantilla.qcow2')));
  check(info['backing-filename'] === join(images, 'curso-base.qcow2'), `backing file: ${info['backing-filename']}`);
  check(!/vireo:template/.test(vireo('dumpxml', 'desde-plantilla')), 'the clone carries the template mark');
  vireo('start', 'desde-plantilla');
  check(vireo('domstate', 'desde-plantilla').trim() === 'running', 'desde-plantilla does not run');
  await shot('mv-desde-plantilla');
  ok('"Nueva MV desde la plantilla": desde-plantilla is a linked clone (qemu-img info: backed by curso-base.qcow2) and starts (vireo start, domstate running)');
  vireo('destroy', 'desde-plantilla');
}

// ---- unit 4: a VM's details: firmware, TPM, sound, serial/console ----

async function details() {
  const apply = async () => {
    await page.click('[data-testid=ed-save]');
    await waitText('[data-testid=ed-saved]', /^Guardado\.$/);
  };
  await page.goto(`${url}#/domains/curso-uefi/details`);
  await page.waitForSelector('[data-testid=ed-firmware]');
  const fw = await page.inputValue('[data-testid=ed-fw-kind]');
  check(fw === 'uefi', `firmware shown: ${fw}`);
  // What the definition holds is shown: the loader and NVRAM files that
  // its first start picked.
  const defXml = dumpxml('dumpxml', 'curso-uefi', '--inactive');
  const loader = await text('[data-testid=ed-fw-loader]');
  const nvram = await text('[data-testid=ed-fw-nvram]');
  const inDef = (el) => defXml.match(new RegExp(`<${el}[^>]*>([^<]+)</${el}>`))?.[1];
  check(/OVMF/.test(loader) && loader === inDef('loader'), `loader shown: ${loader}, defined: ${inDef('loader')}`);
  check(/curso-uefi_VARS\.fd$/.test(nvram) && nvram === inDef('nvram'), `NVRAM shown: ${nvram}, defined: ${inDef('nvram')}`);
  check(await page.locator('[data-testid=ed-serial] tr[data-serial="serial-0"]').count() === 1
    && await page.locator('[data-testid=ed-serial] tr[data-serial="console-serial-0"]').count() === 1, 'serial and console rows');
  ok(`details of curso-uefi: firmware UEFI, loader ${loader}, NVRAM "${nvram}", serial port 0 and console 0 listed`);

  await page.click('[data-testid=ed-tpm-add]');
  await page.selectOption('#ed-tpm-model', 'tpm-crb');
  await page.click('[data-testid=ed-sound-add]');
  await page.selectOption('[data-testid=ed-sound-model]', 'ac97');
  check(/Se aplica en el próximo arranque/.test(await text('[data-testid=ed-sound]')), 'no next-boot hint');
  await apply();
  let xml = dumpxml('dumpxml', 'curso-uefi', '--inactive');
  has(xml, /<tpm model='tpm-crb'>\s*<backend type='emulator' version='2\.0'/, 'dumpxml: the TPM');
  has(xml, /<sound model='ac97'/, 'dumpxml: the sound card');
  await page.locator('[data-testid=ed-tpm]').scrollIntoViewIfNeeded();
  await shot('detalles-tpm-sonido');
  ok('a TPM 2.0 (tpm-crb, emulator) and an ac97 sound card added from the details tab (dumpxml)');

  await page.click('[data-testid=ed-tpm-remove]');
  await page.click('[data-testid=ed-sound-remove]');
  await apply();
  xml = dumpxml('dumpxml', 'curso-uefi', '--inactive');
  check(!/<tpm|<sound/.test(xml), `TPM or sound left in:\n${xml}`);
  await page.waitForSelector('[data-testid=ed-tpm-add]');
  ok('both removed again (dumpxml has neither)');
}

// ---- unit 6: a NAT network with IPv6 and DNS, an isolated one ----

async function networks() {
  await page.click('nav a[href="#/networks"]');
  await waitText('h1', /^Redes$/);
  const form = '[data-testid=net-form]';
  await page.fill('#net-name', 'cursonat6');
  await page.check(`${form} input[name=mode][value=nat]`);
  await page.fill('#net-subnet', '192.168.170.0/24');
  await page.fill('#net-ipv6', 'fd42:77::/200');
  await page.click(`${form} button[type=submit]`);
  await waitText('[data-testid=net-ipv6-error]', /prefijo IPv6 acabado en ::/);
  ok('a bad IPv6 prefix is refused by its field, in Spanish');
  await page.fill('#net-ipv6', 'fd42:77::/64');
  await page.check(`${form} input[name=dhcp6]`);
  await page.check(`${form} input[name=nat66]`);
  await page.fill('#net-forwarders', '9.9.9.9');
  await page.fill('#net-dnshosts', '192.168.170.5 nas nas.curso');
  await shot('red-nat-ipv6-dns');
  await page.click(`${form} button[type=submit]`);
  await waitText('tr[data-network=cursonat6] [data-testid=net-state]', /^activa$/);
  const xml = dumpxml('net-dumpxml', 'cursonat6');
  has(xml, /<forward mode='nat'>\s*<nat ipv6='yes'\/>/, 'NAT66');
  has(xml, /<forwarder addr='9\.9\.9\.9'\/>/, 'the forwarder');
  has(xml, /<host ip='192\.168\.170\.5'>\s*<hostname>nas<\/hostname>\s*<hostname>nas\.curso<\/hostname>/, 'the DNS host');
  has(xml, /<ip family='ipv6' address='fd42:77::1' prefix='64'>\s*<dhcp>\s*<range start='fd42:77::100' end='fd42:77::1ff'\/>/, 'IPv6');
  ok('red NAT cursonat6 with IPv6 (fd42:77::1/64, DHCPv6, NAT66), a DNS forwarder and a DNS host: active (net-dumpxml)');

  await page.fill('#net-name', 'cursoaislada');
  await page.check(`${form} input[name=mode][value=none]`);
  await page.fill('#net-subnet', '192.168.171.0/24');
  await page.click(`${form} button[type=submit]`);
  await waitText('tr[data-network=cursoaislada] [data-testid=net-kind]', /^red aislada$/);
  check(!/<forward/.test(vireo('net-dumpxml', 'cursoaislada')), 'the isolated network has a <forward>');
  await shot('redes');
  ok('red aislada cursoaislada: listed as such, no <forward> (net-dumpxml)');
}

// ---- unit 7: a linked clone, and a snapshot made and reverted ----

async function cloneAndSnapshot() {
  const images = env('VIREO_IMAGES_DIR');
  await page.goto(`${url}#/domains/cursoimport`);
  await page.click('[data-action=clone]');
  await page.waitForSelector('[data-testid=clone-dialog] [data-testid=clone-dest]');
  await page.fill('#clone-name', 'cursoenlazado');
  await page.check('[data-testid=clone-dialog] input[name=kind][value=linked]');
  const dest = await page.inputValue('[data-testid=clone-dest]');
  await page.click('[data-testid=clone-go]');
  await page.waitForFunction(() => location.hash === '#/domains/cursoenlazado');
  const info = JSON.parse(sh('qemu-img', 'info', '-U', '--output=json', dest));
  check(info['backing-filename'] === join(images, 'importado.qcow2'), `backing file: ${info['backing-filename']}`);
  await shot('clonacion-enlazada');
  ok(`clonación enlazada cursoenlazado: ${dest} is an overlay on importado.qcow2 (qemu-img info)`);

  // A snapshot; bytes written behind it; reverted: the bytes are gone.
  page.on('dialog', (d) => d.accept()); // the revert's "are you sure?"
  await tab('snapshots');
  await page.fill('#snap-name', 'antes');
  await page.fill('#snap-desc', 'antes de escribir');
  await page.click('[data-testid=snap-take]');
  await page.waitForSelector('tr[data-snapshot=antes]');
  has(vireo('snapshot-list', 'cursoenlazado', '--name'), /^antes$/m, 'snapshot-list');
  const was = await text('tr[data-snapshot=antes] td:nth-child(3)');
  check(was === 'apagada', `the snapshot's state is shown as '${was}'`);
  const io = (cmd) => spawnSync('qemu-io', ['-f', 'qcow2', '-c', cmd, dest], { encoding: 'utf8' });
  const marked = () => { const r = io('read -P 0x55 1M 64k'); return r.status === 0 && !/verification failed/.test(r.stdout); };
  check(io('write -P 0x55 1M 64k').status === 0, 'qemu-io could not write');
  check(marked(), 'the bytes written are not there');
  await page.click('tr[data-snapshot=antes] [data-action=revert]');
  await waitText('[data-testid=snap-status]', /Revertida a 'antes'/);
  check(!marked(), 'the bytes written after the snapshot survived the revert');
  await shot('instantanea-revertida');
  ok("snapshot 'antes' taken (snapshot-list), 64 KiB written behind it (qemu-io), reverted: they are gone");
}

// An rbd pool whose monitor is not there (no Ceph here; or no rbd
// support in this daemon yet): refused in one line by the form, and
// neither the pool nor the cephx secret made for it is left.
async function rbdRefused() {
  await page.goto(`${url}#/storage`);
  await newPool('cursoceph', 'rbd', { '#pool-host': '127.0.0.1', '#pool-port': '1', '#pool-cephpool': 'rbd' });
  await page.check(`${poolForm} input[name=auth][value=new]`);
  await page.fill('#pool-user', 'admin');
  await page.fill('#pool-secretname', 'client.admin');
  await page.fill('#pool-secretvalue', 'AQBzYl5kAAAAABAAzQyDk5cTGnIWUbqzWWUTeg==');
  await submitPool();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=pool-form] [role=alert]')]
    .some((p) => p.textContent.trim()), null, { timeout: 30000 });
  const shown = (await page.locator('[data-testid=pool-form] [role=alert]').allTextContents()).join(' ').trim();
  check(!/cursoceph/.test(vireo('pool-list', '--all')) && !/client\.admin/.test(vireo('secret-list')),
    'a refused rbd pool or its secret is left');
  await shot('grupo-rbd-rechazado');
  ok(`an rbd pool with no monitor to reach: "${shown}" by the form; neither pool nor secret left`);
}

async function narrow(checks) {
  await page.setViewportSize({ width: 400, height: 800 });
  const widths = [];
  for (const [hash, sel, name] of checks) {
    await page.goto(`${url}${hash}`);
    await page.waitForSelector(sel);
    widths.push(await page.evaluate(() => document.documentElement.scrollWidth));
    await shot(name);
  }
  check(Math.max(...widths) <= 400, `pages scroll sideways at 400 px: ${widths}`);
  ok(`at 400 px no page scrolls sideways (${widths.join(', ')})`);
  await page.setViewportSize({ width: 1200, height: 900 });
}

await runSteps(async () => {
  await login(page, url, env('VIREO_WEB_TOKEN'));
  await waitText('nav a[href="#/storage"]', /^Almacenamiento$/);
  ok('logged in; the page is in Spanish');
  // curso1's units in order: new VMs (3), details and hardware (4),
  // storage (5), networks (6), clones and snapshots (7).
  await newVms();
  await templates();
  await details();
  await hardware();
  await diskPool();
  await fsPool();
  await iscsiPool();
  await rbdRefused();
  await networks();
  await cloneAndSnapshot();
  await narrow([['#/storage/cursoiscsi', '[data-testid=pool-form]', 'almacenamiento-400px'],
    ['#/templates', 'tr[data-template=curso-base]', 'plantillas-400px'],
    ['#/domains/curso-uefi/details', '[data-testid=ed-serial]', 'detalles-400px'],
    ['#/networks', '[data-testid=net-form]', 'redes-400px']]);
}, {
  ok, problems, ctx, cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  failShot: () => page.screenshot({ path: join(shots, 'curso1-failure.png'), fullPage: true }),
});
