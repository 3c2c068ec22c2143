// The course's first part in the web manager, in Spanish (the browser's
// locale is es-ES), every step by clicking, each result checked on the
// page and with the vireo CLI: networks of every kind (net-dumpxml), a
// VM's details (dumpxml), a linked and a full clone (qemu-img info), a
// storage pool with a volume uploaded, downloaded (same bytes), attached
// to the VM, which then sees it; refusals shown by their fields.
// tests/integration/web-course.sh runs this in its network namespace.
// Environment: VIREO_WEB_URL, VIREO_WEB_TOKEN, VIREO_CLI (VIREO_DEFAULT_URI
// set), VIREO_ARTIFACTS, VIREO_POOL_DIR (where the new pool goes), VIREO_SRC.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counter, env, launch, login, runSteps, watch } from './lib.mjs';

const url = env('VIREO_WEB_URL');
const cli = env('VIREO_CLI');
const shots = env('VIREO_ARTIFACTS');
const poolDir = env('VIREO_POOL_DIR');
mkdirSync(shots, { recursive: true });

const ok = counter('course');
const vireo = (...args) => execFileSync(cli, args, { encoding: 'utf8' });
// XML from the CLI with its attributes in one kind of quote, for matching.
const dumpxml = (...args) => vireo(...args).replaceAll('"', "'");
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
function check(cond, what) { if (!cond) throw new Error(what); }
function has(text, re, what) { check(re.test(text), `${what}: /${re.source}/ not in:\n${text}`); }

const tmp = mkdtempSync(join(tmpdir(), 'vireo-course-'));
const ctx = await launch(join(tmp, 'profile'), { width: 1200, height: 900 }, { locale: 'es-ES', acceptDownloads: true });
const page = ctx.pages()[0] ?? await ctx.newPage();
let step = 0;
const shot = (name) => page.screenshot({ path: join(shots, `course-${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
const problems = [];
// 401 before logging in; 400, 404 and 409: the refusals this test provokes.
watch(page, problems, { test: (s) => /status of (401|400|404|409)/.test(s) });
const text = async (sel) => (await page.locator(sel).first().textContent()).trim();
const waitText = (sel, re, timeout = 20000) => page.waitForFunction(([s, src]) =>
  new RegExp(src).test(document.querySelector(s)?.textContent ?? ''), [sel, re.source], { timeout });
const form = '[data-testid=net-form]';

// ---- unit 6: networks of every kind ----

async function fillNetwork({ name, kind, subnet, range, hosts = [], bridge, dev }) {
  await page.fill('#net-name', name);
  await page.check(`${form} input[name=mode][value=${kind}]`);
  if (subnet) await page.fill('#net-subnet', subnet);
  if (range) {
    await page.fill('#net-dhcp-start', range[0]);
    await page.fill('#net-dhcp-end', range[1]);
  }
  for (const [i, h] of hosts.entries()) {
    await page.click('[data-testid=net-host-add]');
    const row = `${form} [data-host="${i}"]`;
    await page.fill(`${row} input[name=hostmac]`, h.mac);
    await page.fill(`${row} input[name=hostip]`, h.ip);
    await page.fill(`${row} input[name=hostname]`, h.name);
  }
  if (bridge) await page.fill('#net-bridge', bridge);
  if (dev) await page.fill('#net-dev', dev);
  await page.click(`${form} button[type=submit]`);
}

// Made, active, listed with `kind`, and so in net-dumpxml.
async function networkMade(name, kind, xmlChecks) {
  await waitText(`tr[data-network=${name}] [data-testid=net-state]`, /^activa$/);
  const shown = await text(`tr[data-network=${name}] [data-testid=net-kind]`);
  check(shown === kind, `${name} is shown as '${shown}', want '${kind}'`);
  const xml = dumpxml('net-dumpxml', name);
  for (const [re, what] of xmlChecks) has(xml, re, `net-dumpxml ${name}: ${what}`);
  return xml;
}

async function networks() {
  await page.click('nav a[href="#/networks"]');
  await waitText('h1', /^Redes$/);
  await page.waitForSelector('tr[data-network=default]');
  check(await text('tr[data-network=default] [data-testid=net-kind]') === 'red NAT', 'default is not a "red NAT"');

  // A range outside the subnet: refused here, by the range.
  const nat = { name: 'cursonat', kind: 'nat', subnet: '192.168.160.0/24', range: ['192.168.99.5', '192.168.160.150'] };
  await fillNetwork(nat);
  await waitText('[data-testid=net-dhcp-error]', /'192\.168\.99\.5' no es una dirección de la subred 192\.168\.160\.0\/24/);
  check(await page.getAttribute('#net-dhcp-start', 'aria-invalid') === 'true', 'the range is not marked invalid');
  await shot('red-rango-erroneo');
  ok('a DHCP range outside the subnet is refused by the range fields, in Spanish');

  // The daemon's refusal: a static host on the host's own address.
  await page.fill('#net-dhcp-start', '192.168.160.100');
  await page.click('[data-testid=net-host-add]');
  await page.fill(`${form} [data-host="0"] input[name=hostmac]`, '52:54:00:c0:00:01');
  await page.fill(`${form} [data-host="0"] input[name=hostip]`, '192.168.160.1');
  await page.fill(`${form} [data-host="0"] input[name=hostname]`, 'fijo1');
  await page.click(`${form} button[type=submit]`);
  await waitText('[data-testid=net-hosts-error]', /<host/);
  check(!/cursonat/.test(vireo('net-list', '--all')), 'a refused network was defined');
  ok(`the daemon's refusal shows by the static hosts: "${await text('[data-testid=net-hosts-error]')}"`);

  await page.fill(`${form} [data-host="0"] input[name=hostip]`, '192.168.160.10');
  await page.click(`${form} button[type=submit]`);
  await networkMade('cursonat', 'red NAT', [[/<forward mode='nat'/, 'NAT'],
    [/<range start='192\.168\.160\.100' end='192\.168\.160\.150'\/>/, 'the DHCP range'],
    [/<host mac='52:54:00:c0:00:01' name='fijo1' ip='192\.168\.160\.10'\/>/, 'the static host']]);
  check(await text('tr[data-network=cursonat] [data-testid=net-dhcp]') === '192.168.160.100 – 192.168.160.150', 'DHCP column');
  await shot('red-nat');
  ok('red NAT cursonat with a DHCP range and a static host: active, and net-dumpxml says so');

  await fillNetwork({ name: 'cursoruta', kind: 'route', subnet: '192.168.161.0/24' });
  await networkMade('cursoruta', 'red enrutada', [[/<forward mode='route'/, 'routed']]);
  ok('red enrutada cursoruta: <forward mode=\'route\'>');

  await fillNetwork({ name: 'cursoaislada', kind: 'none', subnet: '192.168.162.0/24' });
  const iso = await networkMade('cursoaislada', 'red aislada', [[/<ip address='192\.168\.162\.1'/, 'its address']]);
  check(!/<forward/.test(iso), 'the isolated network has a <forward>');
  ok('red aislada cursoaislada: an <ip>, no <forward>');

  await fillNetwork({ name: 'cursomuy', kind: 'noip' });
  const very = await networkMade('cursomuy', 'red muy aislada', []);
  check(!/<forward|<ip/.test(very), `the very isolated network has a <forward> or an <ip>:\n${very}`);
  ok('red muy aislada cursomuy: neither <forward> nor <ip>');

  // A bridge the host does not have: the start is refused by that field.
  await fillNetwork({ name: 'puentemal', kind: 'bridge', bridge: 'br-nada' });
  await waitText('[data-testid=net-bridge-error]', /br-nada/);
  await shot('puente-inexistente');
  ok(`a bridge the host lacks: "${await text('[data-testid=net-bridge-error]')}" by the bridge field`);
  await page.click('tr[data-network=puentemal] [data-testid=confirm-ask]');
  await page.click('tr[data-network=puentemal] [data-testid=confirm-yes]');
  await page.waitForSelector('tr[data-network=puentemal]', { state: 'detached' });

  await fillNetwork({ name: 'cursopuente', kind: 'bridge', bridge: 'br-lan' });
  await networkMade('cursopuente', 'puente (br-lan)', [[/<forward mode='bridge'\/>/, 'mode bridge'],
    [/<bridge name='br-lan'/, 'the host bridge']]);
  ok('puente cursopuente to the host bridge br-lan');

  await fillNetwork({ name: 'cursomacvtap', kind: 'macvtap', dev: 'lan0' });
  await networkMade('cursomacvtap', 'macvtap bridge (lan0)', [[/<forward (dev='lan0' )?mode='bridge'/, 'mode bridge'],
    [/<interface dev='lan0'\/>/, 'the host NIC']]);
  await shot('redes-de-todos-los-tipos');
  ok('macvtap cursomacvtap on the NIC lan0');

  // A static host added to a running network (net-update), then removed.
  await page.click('tr[data-network=cursoaislada] a');
  const hostForm = '[data-testid=net-host-form]';
  await page.fill(`${hostForm} input[name=mac]`, '52:54:00:c0:00:02');
  await page.fill(`${hostForm} input[name=ip]`, '192.168.162.20');
  await page.fill(`${hostForm} input[name=hname]`, 'fijo2');
  await page.click(`${hostForm} button[type=submit]`);
  await page.waitForSelector('[data-testid=net-static-hosts] tr[data-host="52:54:00:c0:00:02"]');
  has(dumpxml('net-dumpxml', 'cursoaislada'), /<host mac='52:54:00:c0:00:02' name='fijo2' ip='192\.168\.162\.20'\/>/, 'net-update add');
  await shot('red-equipo-fijo');
  await page.click('[data-testid=net-static-hosts] tr[data-host="52:54:00:c0:00:02"] [data-testid=confirm-ask]');
  await page.click('[data-testid=net-static-hosts] tr[data-host="52:54:00:c0:00:02"] [data-testid=confirm-yes]');
  await page.waitForSelector('[data-testid=net-static-hosts] tr[data-host="52:54:00:c0:00:02"]', { state: 'detached' });
  check(!/fijo2/.test(vireo('net-dumpxml', 'cursoaislada')), 'the removed static host is still in net-dumpxml');
  ok('a static host added to and removed from the running cursoaislada (net-dumpxml agrees both times)');
}

// ---- unit 4: a VM's details ----

async function details() {
  await page.goto(`${url}#/domains/curso1/details`);
  await page.waitForSelector('[data-testid=edit-form]');
  await waitText('nav.tabs a[data-tab=details]', /^Detalles$/);
  // 300 vCPUs: the daemon's refusal, by the vCPU field.
  await page.fill('#ed-vcpus', '300');
  await page.click('[data-testid=ed-save]');
  await waitText('[data-testid=ed-vcpus-error]', /<vcpu>300<\/vcpu>/);
  check(await page.getAttribute('#ed-vcpus', 'aria-invalid') === 'true', 'vCPUs not marked invalid');
  await shot('detalles-vcpu-rechazadas');
  ok(`300 vCPUs: "${await text('[data-testid=ed-vcpus-error]')}" by the vCPU field`);

  await page.fill('#ed-vcpus', '2');
  await page.check('#ed-topo');
  await page.fill('#ed-cores', '3');
  await page.click('[data-testid=ed-save]');
  await waitText('[data-testid=ed-topology-error]', /Zócalos × núcleos × hilos debe ser igual a las vCPU \(2\)/);
  ok('a topology that does not make 2 vCPUs is refused by the topology, in Spanish');
  await page.fill('#ed-cores', '2');
  await page.selectOption('#ed-cpumode', 'custom');
  await page.fill('#ed-cpumodel', 'qemu64');
  await page.fill('#ed-mem', '384');
  await page.fill('#ed-cur', '320');
  await page.fill('#ed-title', 'Curso 1');
  await page.fill('#ed-description', 'Máquina del curso');
  await page.check('[data-boot=hd]');
  await page.check('#ed-bootmenu');
  await page.selectOption('[data-testid=ed-nic-model]', 'e1000');
  await page.selectOption('[data-testid=ed-nic-network]', 'cursoaislada');
  await page.selectOption('#ed-video', 'virtio');
  await page.check('#ed-autostart');
  await page.click('[data-testid=ed-save]');
  await waitText('[data-testid=ed-saved]', /^Guardado\.$/);
  // The page reads the definition back: what it shows is what was saved.
  await page.waitForFunction(() => document.querySelector('[data-testid=ed-nic-model]')?.value === 'e1000'
    && document.querySelector('[data-testid=ed-nic-network]')?.value === 'cursoaislada'
    && document.querySelector('#ed-vcpus')?.value === '2' && document.querySelector('#ed-cpumodel')?.value === 'qemu64');
  await shot('detalles-guardados');
  const xml = dumpxml('dumpxml', 'curso1', '--inactive');
  for (const [re, what] of [[/<vcpu[^>]*>2<\/vcpu>/, '2 vCPUs'],
    [/<topology sockets='1'( dies='1')? cores='2' threads='1'\/>/, 'topology 1×2×1'],
    [/<cpu mode='custom'[^>]*>((?!<\/cpu>)[\s\S])*<model[^>]*>qemu64<\/model>/, 'CPU model qemu64'],
    [/<memory unit='KiB'>393216<\/memory>/, '384 MiB'], [/<currentMemory unit='KiB'>327680<\/currentMemory>/, '320 MiB now'],
    [/<bootmenu enable='yes'/, 'boot menu'], [/<boot dev='hd'\/>/, 'boots from disk'],
    [/<model type='e1000'\/>/, 'NIC model'], [/<source network='cursoaislada'\/>/, 'NIC network'],
    [/<video>\s*<model type='virtio'/, 'video'], [/<title>Curso 1<\/title>/, 'title'],
    [/<description>Máquina del curso<\/description>/, 'description']]) has(xml, re, `dumpxml curso1: ${what}`);
  check(JSON.parse(vireo('dominfo', 'curso1', '--json')).autostart === true, 'autostart not set');
  ok('details saved: 2 vCPUs 1×2×1, qemu64, 384/320 MiB, boot menu, e1000 on cursoaislada, virtio video, title, autostart (dumpxml, dominfo)');
}

// ---- unit 5: clones, linked and full ----

async function openClone() {
  await page.goto(`${url}#/domains/curso1`);
  await page.click('[data-action=clone]');
  await page.waitForSelector('[data-testid=clone-dialog] [data-testid=clone-dest]');
}

async function clones() {
  const orig = JSON.parse(vireo('vol-info', 'curso1.qcow2', '--pool', 'default', '--json')).path;
  const dir = orig.slice(0, orig.lastIndexOf('/'));
  await openClone();
  await page.fill('#clone-name', 'curso1-enlazado');
  const dest = await page.inputValue('[data-testid=clone-dest]');
  check(dest === `${dir}/curso1-enlazado.qcow2`, `the clone's disk would go to ${dest}`);
  await page.check('[data-testid=clone-dialog] input[name=kind][value=linked]');
  await waitText('[data-testid=clone-disks]', /capa sobre/);
  await shot('clonacion-enlazada');
  await page.click('[data-testid=clone-go]');
  await page.waitForFunction(() => location.hash === '#/domains/curso1-enlazado');
  await waitText('h1', /^curso1-enlazado/);
  const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', dest], { encoding: 'utf8' }));
  check(info['backing-filename'] === orig, `the linked clone's backing file is ${info['backing-filename']}, want ${orig}`);
  has(vireo('domblklist', 'curso1-enlazado'), /vda +.*curso1-enlazado\.qcow2/, 'domblklist of the linked clone');
  ok(`linked clone curso1-enlazado: its disk ${dest} has ${orig} as backing file (qemu-img info)`);

  // The same name again: refused by the name field.
  await openClone();
  await page.fill('#clone-name', 'curso1-enlazado');
  await page.click('[data-testid=clone-go]');
  await waitText('[data-testid=clone-name-error]', /already exists/);
  ok(`a clone name in use: "${await text('[data-testid=clone-name-error]')}" by the name`);

  // A full copy to a path typed by hand.
  const mine = `${dir}/copia-a-mano.qcow2`;
  await page.fill('#clone-name', 'curso1-copia');
  await page.fill('[data-testid=clone-dest]', mine);
  await page.click('[data-testid=clone-go]');
  await page.waitForFunction(() => location.hash === '#/domains/curso1-copia', null, { timeout: 60000 });
  const full = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', mine], { encoding: 'utf8' }));
  check(!full['backing-filename'] && full['virtual-size'] === 64 * 1024 * 1024, `the full copy: ${JSON.stringify(full)}`);
  has(vireo('domblklist', 'curso1-copia'), /copia-a-mano\.qcow2/, 'domblklist of the full copy');
  ok(`full clone curso1-copia: its own 64 MiB disk at ${mine}, no backing file`);
}

// ---- unit 5: storage pools and volumes ----

async function storage() {
  await page.click('nav a[href="#/storage"]');
  await waitText('h1', /^Almacenamiento$/);
  await page.fill('#pool-name', 'cursopool');
  await page.fill('#pool-path', 'relativo/isos');
  await page.click('[data-testid=pool-form] button[type=submit]');
  await waitText('[data-testid=pool-path-error]', /ruta absoluta/);
  ok('a relative directory is refused by its field');
  await page.fill('#pool-path', poolDir);
  await page.click('[data-testid=pool-form] button[type=submit]');
  await waitText('tr[data-pool=cursopool] [data-testid=pool-state]', /^activo$/);
  check(await text('tr[data-pool=cursopool] [data-testid=pool-type]') === 'directorio', 'pool kind');
  const pool = JSON.parse(vireo('pool-info', 'cursopool', '--json'));
  check(pool.path === poolDir && pool.state === 'running' && pool.autostart && existsSync(poolDir), `pool-info: ${JSON.stringify(pool)}`);
  await waitText('h2', /^Volúmenes de cursopool$/);
  ok('directory pool cursopool made from the form: active, autostart, its directory there (pool-info)');

  const data = randomBytes(1024 * 1024 + 512);
  const file = join(tmp, 'datos.img');
  writeFileSync(file, data);
  await page.setInputFiles('#up-file', file);
  await page.click('[data-testid=upload-submit]');
  await waitText('[data-testid=upload-done]', /Se subieron 1 MiB a 'datos\.img'/, 60000);
  const back = join(tmp, 'back.img');
  vireo('vol-download', 'datos.img', back, '--pool', 'cursopool');
  check(sha256(readFileSync(back)) === sha256(data), 'vol-download gives other bytes than were uploaded');
  await shot('grupo-y-volumen');
  ok('uploaded 1 MiB + 512 bytes into cursopool/datos.img: vol-download gives the same sha256');

  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.click('tr[data-volume="datos.img"] [data-action=download]')]);
  check(dl.suggestedFilename() === 'datos.img', `download named ${dl.suggestedFilename()}`);
  const got = readFileSync(await dl.path());
  check(sha256(got) === sha256(data), 'the browser downloaded other bytes');
  ok('Descargar: the browser saves datos.img with the same sha256');

  // Attach to curso1 (persistent), start it: the guest sees the disk.
  await page.click('tr[data-volume="datos.img"] [data-action=attach]');
  await page.waitForSelector('[data-testid=attach-dialog] #att-vm option[value=curso1]', { state: 'attached' });
  await page.selectOption('#att-vm', 'curso1');
  await page.waitForFunction(() => document.querySelector('#att-target')?.value === 'vdb');
  await shot('conectar-a-mv');
  await page.click('[data-testid=attach-go]');
  await page.waitForSelector('[data-testid=attach-dialog]', { state: 'detached' });
  has(vireo('domblklist', 'curso1', '--inactive'), /vdb +.*datos\.img/, 'domblklist --inactive curso1');
  ok('Conectar a una MV: datos.img is vdb of curso1 (domblklist --inactive)');

  await page.goto(`${url}#/domains/curso1`);
  await page.click('[data-action=start]');
  await waitText('[data-testid=domain-state]', /^en ejecución$/, 30000);
  let seen = '';
  for (let i = 0; i < 60 && !/^2049$/m.test(seen); i++) {
    const r = spawnSync('timeout', ['5', cli, 'console', 'curso1'], { input: 'cat /sys/block/vdb/size\n', encoding: 'utf8' });
    seen = (r.stdout ?? '').replace(/\r/g, '');
  }
  check(/^2049$/m.test(seen), `the guest does not see vdb of 2049 sectors:\n${seen}`);
  ok('the guest sees vdb: 2049 sectors of 512 bytes (1 MiB + 512)');
  vireo('destroy', 'curso1');

  // A second pool deleted with its (empty) directory.
  const dir2 = `${poolDir}-borrame`;
  await page.click('nav a[href="#/storage"]');
  await page.fill('#pool-name', 'borrame');
  await page.fill('#pool-path', dir2);
  await page.click('[data-testid=pool-form] button[type=submit]');
  await waitText('tr[data-pool=borrame] [data-testid=pool-state]', /^activo$/);
  await page.check('tr[data-pool=borrame] [data-testid=pool-delete-dir]');
  await page.click('tr[data-pool=borrame] [data-testid=confirm-ask]');
  await shot('eliminar-grupo');
  await page.click('tr[data-pool=borrame] [data-testid=confirm-yes]');
  await page.waitForSelector('tr[data-pool=borrame]', { state: 'detached' });
  check(!/borrame/.test(vireo('pool-list', '--all')) && !existsSync(dir2), 'pool borrame or its directory is left');
  ok('pool borrame deleted with its directory (pool-list --all, the directory gone)');
}

async function narrow() {
  await page.setViewportSize({ width: 400, height: 800 });
  const widths = [];
  for (const [hash, sel, name] of [['#/networks', 'tr[data-network=cursonat]', 'redes-400px'],
    ['#/storage/cursopool', 'tr[data-volume="datos.img"]', 'almacenamiento-400px'],
    ['#/domains/curso1/details', '[data-testid=edit-form]', 'detalles-400px']]) {
    await page.goto(`${url}${hash}`);
    await page.waitForSelector(sel);
    widths.push(await page.evaluate(() => document.documentElement.scrollWidth));
    await shot(name);
  }
  await page.goto(`${url}#/domains/curso1`);
  await page.click('[data-action=clone]');
  await page.waitForSelector('[data-testid=clone-dest]');
  widths.push(await page.evaluate(() => document.documentElement.scrollWidth));
  await shot('clonar-400px');
  check(Math.max(...widths) <= 400, `pages scroll sideways at 400 px: ${widths}`);
  ok(`at 400 px no new page scrolls sideways (${widths.join(', ')})`);
}

await runSteps(async () => {
  await login(page, url, env('VIREO_WEB_TOKEN'));
  await waitText('nav a[href="#/networks"]', /^Redes$/);
  ok('logged in; the browser is in Spanish and so is the page');
  await networks();
  await details();
  await clones();
  await storage();
  await narrow();
}, {
  ok, problems, ctx, cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  failShot: () => page.screenshot({ path: join(shots, 'course-failure.png'), fullPage: true }),
});
