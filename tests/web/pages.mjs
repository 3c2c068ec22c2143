// The web manager's host, networks and storage pages in a real browser:
// headless Chromium (Debian's) driven by playwright-core against a real
// vireod, which tests/integration/web-pages.sh starts in a network
// namespace (this runs there too). What the pages do is checked through
// the CLI, and what the CLI does shows on the open pages live, from the
// event feed (and after a daemon restart). Environment: VIREO_WEB_URL,
// VIREO_WEB_TOKEN, VIREO_CLI (the vireo binary, VIREO_DEFAULT_URI set),
// VIREO_ARTIFACTS (screenshots), VIREO_DAEMON_PIDFILE (vireod's pid; a
// wrapper starts it again when it ends), VIREO_SRC.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counter, env, launch, login, runSteps, watch } from './lib.mjs';

const url = env('VIREO_WEB_URL');
const token = env('VIREO_WEB_TOKEN');
const cli = env('VIREO_CLI');
const shots = env('VIREO_ARTIFACTS');
mkdirSync(shots, { recursive: true });

const ok = counter('pages');
const vireo = (...args) => execFileSync(cli, args, { encoding: 'utf8' });
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
function check(cond, what) { if (!cond) throw new Error(what); }

const tmp = mkdtempSync(join(tmpdir(), 'vireo-pages-'));
const ctx = await launch(join(tmp, 'profile'), { width: 1200, height: 900 });
const page = ctx.pages()[0] ?? await ctx.newPage();
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const problems = [];
// 401 before logging in; 400, 409 and 422 (a SATA disk for a running
// VM): the refusals this test provokes;
// refused connections while the test restarts the daemon.
let daemonAway = false;
const provoked = /status of (401|400|409|422)/;
const away = /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|WebSocket/;
watch(page, problems, { test: (s) => provoked.test(s) || (daemonAway && away.test(s)) });
const statsCalls = [];
page.on('request', (r) => { if (r.url().endsWith('/v1/host/stats')) statsCalls.push(Date.now()); });
const text = (sel) => page.locator(sel).first().textContent();
const waitText = (sel, re, timeout = 15000) => page.waitForFunction(([s, src]) =>
  new RegExp(src).test(document.querySelector(s)?.textContent ?? ''), [sel, re.source], { timeout });

async function hostPage() {
  await page.click('nav a[href="#/host"]');
  await waitText('[data-testid=host-accel]', /TCG/);
  await page.waitForSelector('[data-testid=host-checks] tr[data-check="kvm.usable"]');
  const status = await text('tr[data-check="kvm.usable"] [data-testid=check-status]');
  check(/^(PASS|WARN|FAIL)$/.test(status.trim()), `kvm.usable status: ${status}`);
  const tools = await text('tr[data-check="tool.qemu"] [data-testid=check-status]');
  check(tools.trim() === 'PASS', `QEMU check: ${tools}`);
  ok(`host page: accelerator TCG and host-validate's findings (kvm.usable ${status.trim()}, QEMU PASS)`);
  check(/QEMU \d+\.\d+/.test(await text('[data-testid=host-hypervisor]')), 'no QEMU version');
  await waitText('[data-testid=host-cpu]', /^\d+\.\d %$/);
  await waitText('[data-testid=host-memory]', /in use of/);
  await waitText('[data-testid=host-vms]', /^1 running, 2 defined$/);
  ok(`host page: QEMU version, CPU use ${await text('[data-testid=host-cpu]')}, memory, 1 of 2 VMs running`);

  // Live numbers: one request every 2-3 s while shown, none once left.
  const from = Date.now();
  await page.waitForTimeout(7600);
  const during = statsCalls.filter((t) => t > from).length;
  check(during >= 2 && during <= 4, `${during} stats requests in 7.6 s (want 2-4)`);
  await shot('10-host');
  await page.click('nav a[href="#/networks"]');
  const left = Date.now();
  await page.waitForTimeout(3500);
  check(statsCalls.filter((t) => t > left).length === 0, 'the host page kept polling after it was left');
  ok(`host page: ${during} stats requests in 7.6 s, none after leaving it`);
}

// Fill the new-network form and submit it.
async function submitNetwork(name, subnet, mode) {
  await page.fill('#net-name', name);
  await page.check(`[data-testid=net-form] input[name=mode][value=${mode}]`);
  await page.fill('#net-subnet', subnet);
  await page.click('[data-testid=net-form] button[type=submit]');
}

async function networksPage() {
  await page.waitForSelector('tr[data-network=default]');
  check(await text('tr[data-network=default] [data-testid=net-state]') === 'active', 'default is not active');
  check(await text('tr[data-network=default] [data-testid=net-subnet]') === '192.168.122.0/24', 'default subnet');
  ok('networks page: the default network is listed active with its subnet');

  await submitNetwork('webnet', '300.1.1.0/24', 'none');
  await waitText('[data-testid=net-subnet-error]', /'300\.1\.1\.0' is not an IPv4 address/);
  check(await page.getAttribute('#net-subnet', 'aria-invalid') === 'true', 'subnet field not marked invalid');
  await shot('11-networks-bad-subnet');
  ok('a bad subnet (300.1.1.0/24) is refused next to its field');

  // The daemon's own refusal lands by the field too: it overlaps default.
  await submitNetwork('webnet', '192.168.122.0/25', 'none');
  await waitText('[data-testid=net-subnet-error]', /overlaps network 'default'/);
  check(!/webnet/.test(vireo('net-list', '--all')), 'a refused network was defined');
  ok("the daemon's refusal (overlaps network 'default') shows by the subnet field");

  await submitNetwork('webnet', '192.168.150.0/24', 'none');
  await waitText('tr[data-network=webnet] [data-testid=net-state]', /^active$/);
  check(await text('[data-testid=net-subnet-error]') === '', 'the subnet error stayed');
  const dhcp = await text('tr[data-network=webnet] [data-testid=net-dhcp]');
  check(dhcp === '192.168.150.2 – 192.168.150.254', `DHCP range: ${dhcp}`);
  const info = JSON.parse(vireo('net-info', 'webnet', '--json'));
  check(info.forward === 'none' && info.active && info.address === '192.168.150.1' && info.prefix === 24,
    `net-info webnet: ${JSON.stringify(info)}`);
  ok('isolated network webnet 192.168.150.0/24 with DHCP: active, and so says net-info');

  await page.click('tr[data-network=webnet] a');
  await page.waitForSelector('[data-testid=net-leases-empty]');
  await shot('12-networks');
  ok("webnet's leases section shows (no guest yet)");

  // While it runs its subnet and range cannot change, and the page says why.
  await waitText('[data-testid=net-range-active]', /Stop the network to change its subnet or range/);
  check(await page.isDisabled('[data-testid=net-range-form] input[name=subnet]'), 'the subnet of the active webnet is editable');
  check(await page.isDisabled('[data-testid=net-range-form] button'), 'Change is offered for the active webnet');
  ok('the active webnet: subnet and range fields disabled, with the reason ("Stop the network to change its subnet or range")');

  await page.click('tr[data-network=webnet] [data-action=stop]');
  await waitText('tr[data-network=webnet] [data-testid=net-state]', /^inactive$/);
  check(/ webnet +inactive/.test(vireo('net-list', '--all')), 'net-list does not show webnet inactive');
  ok('Stop: webnet inactive (net-list agrees)');

  // Its DHCP range, changed while stopped (the daemon checks it against
  // the subnet: one outside is refused by the form), then read back.
  const rangeForm = '[data-testid=net-range-form]';
  await page.waitForSelector(`${rangeForm} input[name=start]:not([disabled])`);
  await page.fill(`${rangeForm} input[name=start]`, '192.168.151.10');
  await page.click(`${rangeForm} button`);
  await waitText('[data-testid=net-range-error]', /192\.168\.151\.10/, 15000);
  const refused = await text('[data-testid=net-range-error]');
  check(/range start='192\.168\.150\.2'|range start="192\.168\.150\.2"/.test(vireo('net-dumpxml', 'webnet')),
    'a refused range changed webnet');
  await page.fill(`${rangeForm} input[name=start]`, '192.168.150.100');
  await page.fill(`${rangeForm} input[name=end]`, '192.168.150.149');
  await page.click(`${rangeForm} button`);
  await waitText('tr[data-network=webnet] [data-testid=net-dhcp]', /192\.168\.150\.100 – 192\.168\.150\.149/, 15000);
  const dumped = vireo('net-dumpxml', 'webnet');
  check(/<range start=['"]192\.168\.150\.100['"] end=['"]192\.168\.150\.149['"]/.test(dumped), `net-dumpxml webnet: ${dumped}`);
  ok(`DHCP range of the stopped webnet changed to 192.168.150.100-149 (net-dumpxml); one outside its subnet refused by the form: "${refused}"`);

  // Its subnet, changed while stopped: a bad one is refused by the form,
  // one overlapping default by the daemon, each by the subnet field; a
  // new subnet proposes its whole range, and both are defined together.
  const subnetField = `${rangeForm} input[name=subnet]`;
  check(await page.inputValue(subnetField) === '192.168.150.0/24', `subnet field: ${await page.inputValue(subnetField)}`);
  await page.fill(subnetField, '192.168.150.0');
  await page.click(`${rangeForm} button`);
  await waitText('[data-testid=net-subnet-edit-error]', /\S/);
  check(await page.getAttribute(subnetField, 'aria-invalid') === 'true', 'the subnet field is not marked invalid');
  await page.fill(subnetField, '192.168.122.0/24');
  check(await page.inputValue(`${rangeForm} input[name=start]`) === '192.168.122.2', 'the new subnet did not propose its range');
  await page.click(`${rangeForm} button`);
  await waitText('[data-testid=net-subnet-edit-error]', /overlaps network 'default'/, 15000);
  const overlap = await text('[data-testid=net-subnet-edit-error]');
  check(/address=['"]192\.168\.150\.1['"]/.test(vireo('net-dumpxml', 'webnet')), 'a refused subnet changed webnet');
  await page.fill(subnetField, '192.168.152.0/24');
  check(await page.inputValue(`${rangeForm} input[name=end]`) === '192.168.152.254', 'the range of 192.168.152.0/24 was not proposed');
  await page.click(`${rangeForm} button`);
  await waitText('tr[data-network=webnet] [data-testid=net-subnet]', /^192\.168\.152\.0\/24$/, 15000);
  await waitText('tr[data-network=webnet] [data-testid=net-dhcp]', /192\.168\.152\.2 – 192\.168\.152\.254/);
  const moved = vireo('net-dumpxml', 'webnet');
  const info2 = JSON.parse(vireo('net-info', 'webnet', '--json'));
  check(info2.address === '192.168.152.1' && info2.prefix === 24
    && /<range start=['"]192\.168\.152\.2['"] end=['"]192\.168\.152\.254['"]/.test(moved), `net-dumpxml webnet: ${moved}`);
  check(await text('[data-testid=net-subnet-edit-error]') === '', 'the subnet error stayed');
  await shot('12b-networks-subnet-changed');
  ok(`subnet of the stopped webnet changed to 192.168.152.0/24 with its range (net-info, net-dumpxml); one without a prefix refused by the form, one overlapping default by the daemon, each by the subnet field: "${overlap.trim()}"`);

  await page.click('tr[data-network=webnet] [data-testid=confirm-ask]');
  await page.waitForSelector('tr[data-network=webnet] [data-testid=confirm-yes]');
  await shot('13-networks-confirm-delete');
  await page.click('tr[data-network=webnet] [data-testid=confirm-yes]');
  await page.waitForSelector('tr[data-network=webnet]', { state: 'detached' });
  check(!/webnet/.test(vireo('net-list', '--all')), 'webnet still defined');
  ok('Delete (confirmed): webnet is gone');
}

async function storagePage() {
  await page.click('nav a[href="#/storage"]');
  await page.waitForSelector('tr[data-pool=default] [data-testid=pool-usage-bar] .used');
  check(await text('tr[data-pool=default] [data-testid=pool-state]') === 'active', 'default pool not active');
  check(/free of/.test(await text('tr[data-pool=default] [data-testid=pool-usage]')), 'no usage text');
  ok('storage page: the default pool, active, with a usage bar');

  const form = '[data-testid=vol-form]';
  await page.fill('#vol-name', 'w1.qcow2');
  await page.fill('#vol-size', '64');
  await page.selectOption(`${form} select[name=unit]`, 'MiB');
  await page.selectOption('#vol-format', 'qcow2');
  await page.click(`${form} button[type=submit]`);
  await waitText('tr[data-volume="w1.qcow2"] [data-testid=vol-capacity]', /^64 MiB$/);
  check(/w1\.qcow2/.test(vireo('vol-list', 'default')), 'vol-list does not show w1.qcow2');
  const vol = JSON.parse(vireo('vol-info', 'w1.qcow2', '--pool', 'default', '--json'));
  check(vol.format === 'qcow2' && vol.capacity === 64 * 1024 * 1024, `vol-info: ${JSON.stringify(vol)}`);
  ok('create volume w1.qcow2 64 MiB qcow2 (vol-list and vol-info agree)');

  const data = randomBytes(1024 * 1024);
  const file = join(tmp, 'upload.bin');
  writeFileSync(file, data);
  await page.setInputFiles('#up-file', file);
  check(await page.inputValue('[data-testid=upload-name]') === 'upload.bin', 'the file name is not proposed');
  await page.fill('[data-testid=upload-name]', 'up1.raw');
  await page.click('[data-testid=upload-submit]');
  await waitText('[data-testid=upload-done]', /Uploaded 1 MiB into 'up1\.raw'/, 60000);
  check(await page.$eval('[data-testid=upload-progress]', (p) => p.value) === 100, 'progress bar not at 100');
  await shot('14-storage');
  const out = join(tmp, 'download.bin');
  vireo('vol-download', 'up1.raw', out, '--pool', 'default');
  check(sha256(readFileSync(out)) === sha256(data), 'the downloaded volume differs from the uploaded file');
  ok('upload of 1 MiB of random bytes into a new volume over the WebSocket: vol-download gives the same bytes');

  // Again into the existing volume, with other bytes.
  const data2 = randomBytes(1024 * 1024);
  writeFileSync(file, data2);
  await page.setInputFiles('#up-file', file);
  await page.check('[data-testid=upload-form] input[name=target][value=existing]');
  await page.selectOption('[data-testid=upload-form] select[name=existing]', 'up1.raw');
  await page.click('[data-testid=upload-submit]');
  await waitText('[data-testid=upload-done]', /Uploaded 1 MiB into 'up1\.raw'/, 60000);
  vireo('vol-download', 'up1.raw', out, '--pool', 'default');
  check(sha256(readFileSync(out)) === sha256(data2), 'the replaced volume differs from the second file');
  ok('upload into an existing volume replaces its bytes');

  for (const v of ['w1.qcow2', 'up1.raw']) {
    await page.click(`tr[data-volume="${v}"] [data-testid=confirm-ask]`);
    await page.click(`tr[data-volume="${v}"] [data-testid=confirm-yes]`);
    await page.waitForSelector(`tr[data-volume="${v}"]`, { state: 'detached' });
  }
  check(!/w1\.qcow2|up1\.raw/.test(vireo('vol-list', 'default')), 'vol-list still shows a deleted volume');
  ok('Delete (confirmed): both volumes are gone (vol-list agrees)');
}

// What the CLI does shows on the open page without a reload: a marker
// set on window now must still be there at the end.
async function markPage() { await page.evaluate(() => { window.vireoSamePage = true; }); }
async function samePage() { return page.evaluate(() => window.vireoSamePage === true); }
const netState = (name, re) => waitText(`tr[data-network=${name}] [data-testid=net-state]`, re);
const poolState = (name, re) => waitText(`tr[data-pool=${name}] [data-testid=pool-state]`, re);

async function networksLive() {
  await page.waitForSelector('tr[data-network=default]');
  await markPage();
  const xml = join(tmp, 'clinet.xml');
  writeFileSync(xml, "<network><name>clinet</name><ip address='192.168.160.1' prefix='24'/></network>\n");
  vireo('net-define', xml);
  await netState('clinet', /^inactive$/);
  vireo('net-start', 'clinet');
  await netState('clinet', /^active$/);
  vireo('net-destroy', 'clinet');
  await netState('clinet', /^inactive$/);
  vireo('net-undefine', 'clinet');
  await page.waitForSelector('tr[data-network=clinet]', { state: 'detached' });
  check(await samePage(), 'the networks page was reloaded');
  ok('networks page, live: net-define, net-start, net-destroy, net-undefine from the CLI show as they happen');
}

// GET /v1/pools (the page's full refresh) counted while fn runs and
// `settle` ms after.
async function poolReads(fn, settle) {
  let n = 0;
  const count = (r) => { if (new URL(r.url()).pathname === '/v1/pools') n++; };
  page.on('request', count);
  const from = Date.now();
  await fn();
  await page.waitForTimeout(settle);
  page.off('request', count);
  return { n, ms: Date.now() - from };
}

async function storageLive() {
  await page.waitForSelector('tr[data-pool=default]');
  await markPage();
  vireo('vol-create-as', 'default', 'cli1.img', '1M');
  await page.waitForSelector('tr[data-volume="cli1.img"]');
  vireo('vol-resize', 'cli1.img', '3M', '--pool', 'default');
  await waitText('tr[data-volume="cli1.img"] [data-testid=vol-capacity]', /^3 MiB$/);
  vireo('vol-delete', 'cli1.img', '--pool', 'default');
  await page.waitForSelector('tr[data-volume="cli1.img"]', { state: 'detached' });
  ok('storage page, live: vol-create-as, vol-resize, vol-delete from the CLI show as they happen');

  // A burst of events costs a few refreshes, not one each.
  const names = Array.from({ length: 20 }, (_, i) => `burst${i}.img`);
  const made = await poolReads(async () => {
    for (const v of names) vireo('vol-create-as', 'default', v, '1M');
    await page.waitForSelector('tr[data-volume="burst19.img"]');
  }, 1000);
  const most = Math.ceil(made.ms / 300) + 1;
  check(made.n >= 1 && made.n <= most && made.n < names.length / 2,
    `${made.n} pool list reads for ${names.length} volume events in ${made.ms} ms (want at most ${most})`);
  for (const v of names) vireo('vol-delete', v, '--pool', 'default');
  await page.waitForSelector('tr[data-volume="burst0.img"]', { state: 'detached' });
  await page.waitForSelector('tr[data-volume^="burst"]', { state: 'detached' });
  ok(`a burst of ${names.length} volumes made from the CLI: ${made.n} refreshes in ${made.ms} ms, all shown, then all gone`);

  const dir = join(tmp, 'livepool');
  vireo('pool-define-as', 'livep', 'dir', '--target', dir);
  await poolState('livep', /^inactive$/);
  vireo('pool-build', 'livep');
  vireo('pool-start', 'livep');
  await poolState('livep', /^active$/);
  await shot('21-storage-live-pool');
  vireo('pool-destroy', 'livep');
  await poolState('livep', /^inactive$/);
  vireo('pool-delete', 'livep');
  vireo('pool-undefine', 'livep');
  await page.waitForSelector('tr[data-pool=livep]', { state: 'detached' });
  check(await samePage(), 'the storage page was reloaded');
  ok('storage page, live: pool-define-as, pool-start, pool-destroy, pool-undefine from the CLI show as they happen');
}

// vireod restarts under the open storage page; meanwhile an image file
// lands in the pool's directory, which no event can tell of: the page
// reads everything again once the feed is back.
async function storageAfterRestart() {
  const dir = JSON.parse(vireo('pool-info', 'default', '--json')).path;
  const pid = Number(readFileSync(env('VIREO_DAEMON_PIDFILE'), 'utf8').trim());
  daemonAway = true;
  process.kill(pid, 'SIGTERM');
  await page.waitForSelector('[data-testid=live].off', { timeout: 10000 });
  writeFileSync(join(dir, 'offline.img'), Buffer.alloc(1024 * 1024));
  await page.waitForSelector('[data-testid=live].on', { timeout: 30000 });
  await page.waitForSelector('tr[data-volume="offline.img"]');
  daemonAway = false;
  check(await samePage(), 'the storage page was reloaded');
  ok('vireod restarted under the storage page: once live again it shows a volume made while the daemon was away');
  vireo('vol-delete', 'offline.img', '--pool', 'default');
  await page.waitForSelector('tr[data-volume="offline.img"]', { state: 'detached' });
}

// The same pages in Spanish, and at 400 px wide.
async function spanishAndNarrow() {
  await page.selectOption('[data-testid=lang]', 'es');
  await page.click('nav a[href="#/host"]');
  await waitText('h1', /^Anfitrión /);
  await waitText('[data-testid=host-accel]', /emulación por software/);
  await waitText('[data-testid=host-checks]', /Extensiones de virtualización de la CPU/);
  // The findings too, not only the titles: host.memory is on every host,
  // and kvm.usable here says TCG (no vmx/svm on this machine).
  const memory = 'tr[data-check="host.memory"] [data-testid=check-detail]';
  await waitText(memory, /GiB: hay sitio para unos \d+ invitados sin escritorio \(512 MiB\)/);
  const kvm = await text('tr[data-check="kvm.usable"] [data-testid=check-detail]');
  check(/se ejecutarán con la emulación TCG/.test(kvm), `kvm.usable in Spanish: ${kvm}`);
  const all = await text('[data-testid=host-checks]') + await text('.host-facts');
  for (const english of ['without a desktop', 'will run under TCG emulation', 'Hint:', 'recommended'])
    check(!all.includes(english), `English left on the Spanish host page: '${english}' in ${all}`);
  await shot('15-host-es');
  ok(`Spanish host findings: "${kvm.trim().slice(0, 60)}…", no English detail or hint left`);
  await page.click('nav a[href="#/storage"]');
  await waitText('h1', /^Almacenamiento$/);
  await shot('16-storage-es');
  await page.click('nav a[href="#/networks"]');
  await waitText('h1', /^Redes$/);
  await shot('17-networks-es');
  ok('Spanish: host, storage and networks pages');

  await page.selectOption('[data-testid=lang]', 'en');
  await page.setViewportSize({ width: 400, height: 800 });
  await waitText('h1', /^Networks$/);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  await shot('18-networks-400px');
  await page.click('nav a[href="#/storage"]');
  await page.waitForSelector('tr[data-pool=default]');
  const wide2 = await page.evaluate(() => document.documentElement.scrollWidth);
  await shot('19-storage-400px');
  await page.click('nav a[href="#/host"]');
  await page.waitForSelector('[data-testid=host-checks]');
  const wide3 = await page.evaluate(() => document.documentElement.scrollWidth);
  await shot('20-host-400px');
  check(Math.max(wide, wide2, wide3) <= 400, `pages scroll sideways at 400 px: ${wide}, ${wide2}, ${wide3}`);
  ok('at 400 px wide no page scrolls sideways');

  // In Spanish at 400 px: the upload's file picker speaks the page's
  // language (a native file input speaks the browser's: "Choose File");
  // every visible control has a name; the topology's three numbers are
  // one line high (they once grew 8rem tall in their column).
  await page.selectOption('[data-testid=lang]', 'es');
  await page.click('nav a[href="#/storage"]');
  await page.waitForSelector('tr[data-pool=default]');
  await page.click('tr[data-pool=default] a');
  await waitText('[data-testid=upload-pick]', /^Elegir un archivo…$/);
  await waitText('[data-testid=upload-file-name]', /^Ningún archivo elegido\.$/);
  const input = await page.locator('[data-testid=upload-file]').boundingBox();
  check(!input || input.width <= 1, `the native file input shows (${JSON.stringify(input)})`);
  await page.focus('[data-testid=upload-file]');
  check(await page.evaluate(() => document.activeElement?.id === 'up-file'), 'the file picker cannot take the keyboard focus');
  const unnamed = () => page.evaluate(() => [...document.querySelectorAll('main input, main select, main textarea, main button')]
    .filter((el) => el.getClientRects().length && el.type !== 'hidden')
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map((el) => el.outerHTML.slice(0, 120)));
  let bare = await unnamed();
  await shot('22-storage-400px-es');
  // A network with an IPv6 subnet (defined, not started): its second
  // subnet line stays in the value column, by the IPv4 one.
  const v6 = join(tmp, 'webv6.xml');
  writeFileSync(v6, "<network><name>webv6</name><bridge name='vrtv6'/><ip address='192.168.160.1' prefix='24'/>"
    + "<ip family='ipv6' address='fd42:16::1' prefix='64'/></network>");
  vireo('net-define', v6);
  await page.click('nav a[href="#/networks"]');
  await waitText('h1', /^Redes$/);
  await page.waitForSelector('tr[data-network=webv6] [data-testid=net-subnet6]');
  const x6 = (await page.locator('tr[data-network=webv6] [data-testid=net-subnet6]').boundingBox()).x;
  const x4 = (await page.locator('tr[data-network=webv6] [data-testid=net-kind]').boundingBox()).x;
  await shot('22b-networks-ipv6-400px-es');
  bare = bare.concat(await unnamed());
  vireo('net-undefine', 'webv6');
  check(x6 > 100, `the IPv6 subnet line is at x=${x6} px, in the label column (the cells' values start at ${x4})`);
  await details('webp2');
  await page.check('#ed-topo');
  bare = bare.concat(await unnamed());
  const h = (await page.locator('#ed-sockets').boundingBox())?.height ?? 0;
  const wideDetails = await page.evaluate(() => document.documentElement.scrollWidth);
  await shot('23-details-topology-400px-es');
  check(h > 0 && h < 50, `the sockets field is ${h} px high at 400 px`);
  check(wideDetails <= 400, `webp2's details scroll sideways at 400 px (${wideDetails} px: its loader or NVRAM path?)`);
  check(!bare.length, `controls without a name: ${bare.join('\n')}`);
  await page.click('[data-testid=ed-save] + button');
  // Add hardware's new kinds and the Details tab's boot list at 400 px.
  await page.goto(`${url}#/domains/webp2/hardware`);
  await page.waitForSelector('[data-testid=hw-add]');
  const narrow = [];
  for (const kind of ['input', 'usb', 'pci']) {
    await page.selectOption('#add-kind', kind);
    await page.waitForSelector({ input: '#add-input-bus', usb: '#add-usb-dev', pci: '#add-pci-addr' }[kind]);
    narrow.push(await page.evaluate(() => document.documentElement.scrollWidth));
    bare = bare.concat(await unnamed());
    await shot(`23b-add-${kind}-400px-es`);
  }
  await details('webp2');
  await page.waitForSelector('[data-testid=ed-boot-devices]');
  narrow.push(await page.evaluate(() => document.documentElement.scrollWidth));
  bare = bare.concat(await unnamed());
  await shot('23c-details-boot-400px-es');
  check(Math.max(...narrow) <= 400, `Add hardware or the boot list scroll sideways at 400 px: ${narrow}`);
  check(!bare.length, `controls without a name: ${bare.join('\n')}`);
  ok(`Spanish at 400 px: Add hardware's input, host USB and host PCI fields and the per-device boot list fit (${Math.max(...narrow)} px) and every control has a name`);
  ok(`Spanish at 400 px: the upload's picker says "Elegir un archivo…" / "Ningún archivo elegido." and takes the focus; every control of storage, networks and details has a name; the topology fields are ${Math.round(h)} px high and the details (their NVRAM path) do not scroll sideways; a network's IPv6 subnet line sits in the value column (x ${Math.round(x6)} px)`);
}

// The VM list: webp1 runs on the default network, so its row shows the
// address dnsmasq leased it (as domifaddr does) and a CPU figure, both
// from the event feed's samples; webp2 is shut off and shows neither.
async function vmList() {
  let ip = '';
  for (let i = 0; i < 120 && !ip; i++) {
    ip = JSON.parse(vireo('domifaddr', 'webp1', '--json'))[0]?.addresses?.[0]?.ip ?? '';
    if (!ip) await new Promise((r) => setTimeout(r, 500));
  }
  check(ip, 'webp1 got no DHCP lease within 60 s');
  await page.click('nav a[href="#/"]');
  await waitText('tr[data-domain=webp1] [data-testid=addresses]', new RegExp(`^${ip.replaceAll('.', '\\.')}$`));
  await waitText('tr[data-domain=webp1] [data-testid=cpu]', /^\d+ %$/);
  check((await text('tr[data-domain=webp2] [data-testid=addresses]')).trim() === '', 'a shut off VM shows an address');
  await shot('00-domain-list-addresses');
  await page.setViewportSize({ width: 400, height: 800 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  await shot('00-domain-list-400px');
  await page.setViewportSize({ width: 1200, height: 900 });
  check(wide <= 400, `the VM list scrolls sideways at 400 px: ${wide}`);
  ok(`VM list: webp1's DHCP address ${ip} (as domifaddr says) and live CPU; fits 400 px`);
}

// The hardware tab's "Add hardware" and "Remove" on the running webp1: a
// new volume made in the default pool and hot-plugged as a disk, then
// removed; what the page did is checked with vireo domblklist. A missing
// choice is said next to its field and adds nothing.
async function hardwareTab() {
  await page.goto(`${url}#/domains/webp1/hardware`);
  await page.waitForSelector('[data-testid=hw-add]');
  await page.waitForFunction(() => document.querySelectorAll('#add-pool option').length > 0);
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-vol-error]', /Pick a volume/);
  check(!/ vda /.test(vireo('domblklist', 'webp1')), 'a refused add changed the VM');
  ok('add hardware: no volume chosen is said next to the field; nothing added');
  await page.selectOption('#add-vol', '__new__');
  await page.fill('#add-volname', 'webhw.qcow2');
  await page.fill('#add-size', '1');
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-status]', /Added Disk/, 30000);
  const list = vireo('domblklist', 'webp1');
  check(/^ vda +\S*webhw\.qcow2$/m.test(list), `domblklist after add: ${list}`);
  check(/webhw\.qcow2/.test(vireo('dumpxml', 'webp1', '--inactive')), 'the disk is not in the definition');
  await page.waitForSelector('tr[data-disk=vda]');
  await shot('03-hardware-added');
  ok('add hardware: a new 1 GiB volume hot-plugged into the running VM as vda (domblklist) and defined');
  await page.click('[data-testid=hw-remove-vda]');
  await waitText('[data-testid=hw-row-status]', /Removed vda/, 30000);
  check(!/ vda /.test(vireo('domblklist', 'webp1')), 'vda still in domblklist after Remove');
  check(!/webhw\.qcow2/.test(vireo('dumpxml', 'webp1', '--inactive')), 'vda still in the definition');
  ok('remove: the disk left the running VM and its definition (domblklist)');

  // The disk's bus: SATA takes no disk while webp1 runs, and the daemon's
  // refusal shows by the bus; the shut off webp2 takes it as sda.
  await page.selectOption('#add-bus', 'sata');
  await page.selectOption('#add-vol', 'webhw.qcow2');
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-bus-error]', /bus sata, which takes no disk while the domain runs/, 20000);
  check(!/webhw/.test(vireo('domblklist', 'webp1')), 'a refused SATA disk reached webp1');
  await page.goto(`${url}#/domains/webp2/hardware`);
  await page.waitForFunction(() => document.querySelector('vr-domain-add-hw')?.domain?.name === 'webp2'
    && document.querySelectorAll('#add-vol option').length > 1);
  await page.selectOption('#add-bus', 'sata');
  await page.selectOption('#add-vol', 'webhw.qcow2');
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-status]', /Added Disk/, 20000);
  check(/<target dev=['"]sda['"] bus=['"]sata['"]\/>/.test(vireo('dumpxml', 'webp2', '--inactive')), 'no SATA sda in webp2');
  await page.click('[data-testid=hw-remove-sda]');
  await waitText('[data-testid=hw-row-status]', /Removed sda/, 20000);
  check(!/webhw/.test(vireo('dumpxml', 'webp2', '--inactive')), 'sda still in webp2 after Remove');
  ok('add hardware: a SATA disk refused on the running webp1 next to the bus field (domblklist unchanged); on the shut off webp2 defined as sda bus sata (dumpxml) and removed');
  // A file of the host by its path (virt-manager's "custom storage").
  const file = join(tmp, 'webfile.raw');
  writeFileSync(file, Buffer.alloc(1 << 20));
  await page.selectOption('#add-bus', 'virtio');
  await page.selectOption('#add-vol', '__path__');
  await page.fill('#add-path', 'webfile.raw');
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-path-error]', /absolute path/);
  await page.fill('#add-path', file);
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-status]', /Added Disk/, 20000);
  const blk = vireo('domblklist', 'webp2', '--inactive');
  check(blk.split('\n').some((l) => l.trim().split(/ +/).join(' ') === `vda ${file}`),
    `domblklist --inactive webp2 after adding ${file}: ${blk}`);
  await page.click('[data-testid=hw-remove-vda]');
  await waitText('[data-testid=hw-row-status]', /Removed vda/, 20000);
  check(!vireo('domblklist', 'webp2', '--inactive').includes(file), `${file} still in webp2 after Remove`);
  ok(`add hardware: a file of the host by its path (a relative one refused by the field) defined on webp2 as vda ${file} (domblklist --inactive) and removed`);
  await page.goto(`${url}#/domains/webp1/hardware`);
  await page.waitForSelector('[data-testid=hw-add]');

  // A NIC on a bridge of the host and one on a host NIC through macvtap
  // (web-pages.sh made vrtbr0 and the veth vrtlan0 in the daemon's
  // namespace), hot-plugged into the running webp1, each checked with
  // domiflist and removed again.
  const ifaces = () => JSON.parse(vireo('domiflist', 'webp1', '--json'));
  for (const [src, field, name, type] of [['bridge', '#add-bridge', 'vrtbr0', 'bridge'], ['direct', '#add-dev', 'vrtlan0', 'direct']]) {
    await page.waitForSelector('[data-testid=hw-add]');
    await page.selectOption('#add-kind', 'nic');
    await page.selectOption('#add-nicsrc', src);
    await page.fill(field, '');
    await page.click('[data-testid=hw-add] button[type=submit]');
    await waitText(`[data-testid=add-${field === '#add-dev' ? 'dev' : 'bridge'}-error]`, /Name the host/);
    check(ifaces().length === 1, 'a refused NIC was added');
    await page.fill(field, name);
    await page.click('[data-testid=hw-add] button[type=submit]');
    await waitText('[data-testid=add-status]', /Added Network interface/, 30000);
    const nic = ifaces().find((i) => i.type === type);
    check(nic?.source === name && nic.interface, `domiflist after adding a ${type} NIC: ${JSON.stringify(ifaces())}`);
    check(new RegExp(`<interface type=['"]${type}['"]>[\\s\\S]*?${name}`).test(vireo('dumpxml', 'webp1', '--inactive')),
      `the ${type} NIC is not in the definition`);
    if (src === 'bridge') {
      await shot('03b-hardware-nic-bridge');
      // Its bridge changed on the Details tab (definition only: webp1 runs).
      await details('webp1');
      const field = page.locator('[data-testid=ed-nic-source]');
      check(await field.inputValue() === 'vrtbr0', `the Details tab shows bridge ${await field.inputValue()}`);
      await field.fill('');
      await page.click('[data-testid=ed-save]');
      await waitText('[data-testid=ed-nic-error]', /Interface 2: name the host bridge/);
      await field.fill('vrtbr1');
      await page.click('[data-testid=ed-save]');
      await waitText('[data-testid=ed-saved]', /^Saved/, 20000);
      check(/<source bridge=['"]vrtbr1['"]\/>/.test(vireo('dumpxml', 'webp1', '--inactive')), 'the bridge did not change to vrtbr1');
      check(ifaces().find((i) => i.mac === nic.mac)?.source === 'vrtbr0', 'the running NIC left vrtbr0');
      ok('details: the bridge NIC of webp1 moved to vrtbr1 in its definition (dumpxml --inactive), refused empty by its field; the running one stays on vrtbr0 (domiflist)');
      await page.goto(`${url}#/domains/webp1/hardware`);
    }
    await page.waitForSelector(`[data-testid="hw-remove-${nic.mac}"]`);
    await page.click(`[data-testid="hw-remove-${nic.mac}"]`);
    await waitText('[data-testid=hw-row-status]', new RegExp(`Removed ${nic.mac}`), 30000);
    check(!ifaces().some((i) => i.mac === nic.mac), `the ${type} NIC is still in domiflist after Remove`);
    ok(`add hardware: a NIC on ${type === 'bridge' ? 'the host bridge' : 'the host NIC (macvtap)'} ${name} refused empty by its field, then hot-plugged into the running webp1 (domiflist: ${type} ${name} on ${nic.interface}) and removed`);
  }
  await page.goto(url);
}

// Issue 23, in Spanish: the firmware of the shut-off webp2 changed on the
// Details tab (BIOS → UEFI, started once so the driver picks and records
// OVMF, then back to BIOS), refused with its reason on the running webp1;
// serial, console and channel devices added from "Añadir hardware" (into
// the definition only: the daemon does not hot-plug them, so the running
// webp1 gets "Se aplica en el próximo arranque") and removed on the
// Details tab. Each result checked with vireo dumpxml.
const inactiveXml = (name) => vireo('dumpxml', name, '--inactive');
// The Details tab of `name`, its definition read anew (through another
// tab: the page keeps the element from one VM to the next).
async function details(name) {
  await page.goto(`${url}#/domains/${name}/overview`);
  await page.waitForSelector('[data-testid=overview]');
  await page.goto(`${url}#/domains/${name}/details`);
  await page.waitForFunction((n) => {
    const ed = document.querySelector('vr-domain-edit');
    return ed?.domain?.name === n && ed.v && ed.doc?.querySelector('domain > name')?.textContent === n
      && document.querySelector('[data-testid=ed-fw-kind]');
  }, name);
  // The tab left is gone (the hardware tab's stayed above every other one).
  const stale = await page.locator('.tab-body > :not(vr-domain-edit)').count();
  check(stale === 0, `${stale} element(s) of another tab left on ${name}'s details`);
}
async function apply() {
  await page.click('[data-testid=ed-save]');
  await waitText('[data-testid=ed-saved]', /^Guardado/, 20000);
}
// Start webp2 on its page: the NVRAM question comes (and is shot), or not
// (it then runs, and is forced off again).
async function startAsked(name) {
  await page.click('[data-action=start]');
  await page.waitForSelector('[data-testid=nvram-dialog][open]');
  await waitText('[data-testid=nvram-text]', /El firmware de webp2 cambió/);
  await shot(name);
}
async function startNotAsked(when) {
  await page.click('[data-action=start]');
  await page.waitForTimeout(300);
  check(await page.locator('[data-testid=nvram-dialog]').count() === 0, `the NVRAM question came again ${when}`);
  await waitText('[data-testid=domain-state]', /ejecución|running/i, 30000);
  vireo('destroy', 'webp2');
}
async function firmwareTab() {
  await page.selectOption('[data-testid=lang]', 'es');
  await details('webp1');
  check(await page.isDisabled('[data-testid=ed-fw-kind]'), 'the firmware of a running VM can be changed');
  await waitText('[data-testid=ed-fw-note]', /Apague la máquina para cambiar su firmware/);
  await shot('04-firmware-running-es');
  ok('firmware: a running VM cannot change it, and the page says why (in Spanish)');

  await details('webp2');
  check(!await page.isDisabled('[data-testid=ed-fw-kind]'), 'the firmware of a shut off VM is not editable');
  check(await page.locator('[data-testid=ed-fw-kind] option[value=secure]').isDisabled(), 'Secure Boot offered on machine pc');
  await waitText('[data-testid=ed-fw-note]', /necesita la máquina q35; esta máquina tiene pc/);
  await page.selectOption('[data-testid=ed-fw-kind]', 'uefi');
  await waitText('[data-testid=ed-fw-warn]', /instalado para BIOS \(SeaBIOS\) puede no arrancar con UEFI/);
  await shot('05-firmware-uefi-es');
  await apply();
  let xml = inactiveXml('webp2');
  check(/<os firmware=['"]efi['"]>/.test(xml), `no <os firmware='efi'> after Aplicar: ${xml}`);
  check(/<feature enabled=['"]no['"] name=['"]secure-boot['"]\/>/.test(xml), `no secure-boot feature: ${xml}`);
  await waitText('[data-testid=ed-fw-loader]', /se elige en el primer arranque/);
  // The next start picks OVMF and records it with the NVRAM (xml-domain.md).
  // Started from the CLI, under the open Details tab: the tab reads the
  // definition again on the event and shows what the start picked.
  vireo('start', 'webp2');
  xml = inactiveXml('webp2');
  await waitText('[data-testid=ed-fw-loader]', /OVMF_CODE/, 20000);
  await waitText('[data-testid=ed-fw-nvram]', /_VARS\.fd/);
  await shot('05b-firmware-picked-es');
  vireo('destroy', 'webp2');
  check(/<loader[^>]*type=['"]pflash['"][^>]*>[^<]*OVMF_CODE[^<]*</.test(xml), `no OVMF loader after start: ${xml}`);
  const nvram = /<nvram[^>]*>([^<]+)</.exec(xml)?.[1];
  const template = /<nvram[^>]*template=['"]([^'"]+)['"]/.exec(xml)?.[1];
  check(nvram && existsSync(nvram), `no NVRAM file after start: ${xml}`);
  check(template && existsSync(template), `no NVRAM template after start: ${xml}`);
  ok(`firmware: BIOS → UEFI on the shut off webp2 (dumpxml: <os firmware='efi'>; started once: OVMF loader, NVRAM ${nvram})`);
  ok('details: started from the CLI, the open Details tab of webp2 reloaded itself and shows the OVMF loader and NVRAM the start picked');

  await details('webp2');
  await waitText('[data-testid=ed-fw-kind]', /UEFI/);
  check(await page.inputValue('[data-testid=ed-fw-kind]') === 'uefi', 'the page does not show UEFI');
  await page.selectOption('[data-testid=ed-fw-kind]', 'bios');
  await waitText('[data-testid=ed-fw-warn]', new RegExp(`Las variables UEFI de ${nvram.replaceAll('.', '\\.')} se quedan`));
  await shot('06-firmware-bios-es');
  await apply();
  xml = inactiveXml('webp2');
  check(!/firmware=|<loader|<nvram/.test(xml), `UEFI left in the definition after BIOS: ${xml}`);
  check(existsSync(nvram), 'the NVRAM file was removed');
  ok('firmware: back to BIOS (dumpxml: no firmware, loader or nvram; the NVRAM file stays, as the page says)');

  // UEFI again: the NVRAM of the first UEFI start is still there (here
  // overwritten with zeros, as variables the new firmware cannot use).
  // The page's Start asks, and "new UEFI variables" makes it anew from
  // the template (start ?reset_nvram=1), as vireo start --reset-nvram.
  await details('webp2');
  await page.selectOption('[data-testid=ed-fw-kind]', 'uefi');
  await apply();
  const size = readFileSync(nvram).length;
  writeFileSync(nvram, Buffer.alloc(size));
  await startAsked('06b-start-reset-nvram-es');
  await page.click('[data-testid=nvram-reset]');
  await waitText('[data-testid=domain-state]', /ejecución|running/i, 30000);
  check(sha256(readFileSync(nvram)) === sha256(readFileSync(template)), 'the NVRAM was not made anew from its template');
  check(/<loader[^>]*>[^<]*OVMF_CODE/.test(inactiveXml('webp2')), 'no loader recorded by the start');
  vireo('destroy', 'webp2');
  await waitText('[data-testid=domain-state]', /apagad|shut off/i, 20000);
  await startNotAsked('with the loader recorded');
  ok(`start: after a firmware change the page's Start offered new UEFI variables; taken, ${nvram} equals its template again (sha256), and the next Start asks nothing`);

  // The loader edited by hand (dumpxml, edit, define) to another build of
  // the same firmware: still UEFI, so only the loader the NVRAM last ran
  // with (recorded by the start) tells. The page asks; "keep" starts with
  // the NVRAM as it is, and the start records the new loader.
  const loader0 = /<loader[^>]*>([^<]+)</.exec(inactiveXml('webp2'))?.[1];
  const loader1 = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd';
  check(loader0 === '/usr/share/OVMF/OVMF_CODE_4M.fd', `the start picked ${loader0}`);
  const edited = join(tmp, 'webp2-loader.xml');
  writeFileSync(edited, inactiveXml('webp2').replace(`>${loader0}<`, `>${loader1}<`));
  vireo('define', edited);
  const changed = () => JSON.parse(vireo('dominfo', 'webp2', '--json')).firmware_changed;
  check(changed() === true, 'dominfo --json: firmware_changed is not true after the loader was edited');
  const info = vireo('dominfo', 'webp2');
  check(/^Firmware: +changed since its NVRAM was made: start with --reset-nvram/m.test(info), `dominfo does not say the firmware changed: ${info}`);
  const before = sha256(readFileSync(nvram));
  await startAsked('06c-start-loader-edited-es');
  await page.click('[data-testid=nvram-keep]');
  await waitText('[data-testid=domain-state]', /ejecución|running/i, 30000);
  check(sha256(readFileSync(nvram)) === before, 'the NVRAM was made anew though "keep" was chosen');
  check(inactiveXml('webp2').includes(`>${loader1}<`), 'the edited loader is not in the definition');
  vireo('destroy', 'webp2');
  await waitText('[data-testid=domain-state]', /apagad|shut off/i, 20000);
  check(changed() === false, 'dominfo --json: firmware_changed still true after a start with the new loader');
  check(!/^Firmware:/m.test(vireo('dominfo', 'webp2')), 'dominfo still says the firmware changed after the start');
  await startNotAsked('after the start with the edited loader');
  ok(`start: the loader edited by hand (${loader0} → ${loader1}, same firmware kind) made the page's Start ask (dominfo --json firmware_changed true, dominfo's Firmware line says --reset-nvram); "keep" left ${nvram} as it was (sha256), and the next Start asks nothing`);
}

async function addChar(kind, status) {
  await page.selectOption('#add-kind', kind);
  await page.waitForSelector('[data-testid=add-char-help]');
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText(status.startsWith('#') ? status : '[data-testid=add-status]', /\S/, 20000);
}
// Until fn() is true (every 200 ms, for `ms`), else fail with `what`.
async function until(fn, what, ms = 20000) {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(what);
}

// Add hardware, in Spanish, on the shut off webp2: input devices (a
// tablet refused on ps2 by its field, then on virtio; a USB keyboard,
// seen by QEMU once started), a USB device of the host (what this host
// has listed as sysfs has it; this one has no USB bus, and the page says
// so; one named by vendor and product is defined, and the start refuses
// it here with the reason: no USB bus), and a PCI device of the host (offered, its
// refusal on a host without an IOMMU shown by the field, Add disabled).
async function hostDevices() {
  const submit = '[data-testid=hw-add] button[type=submit]';
  await page.goto(`${url}#/domains/webp2/hardware`);
  await page.waitForSelector('[data-testid=hw-add]');
  await page.selectOption('#add-kind', 'input');
  await page.selectOption('#add-input-type', 'tablet');
  await page.selectOption('#add-input-bus', 'ps2');
  await page.click(submit);
  await waitText('[data-testid=add-inputBus-error]', /No existe una tableta en ps2/);
  check(!/<input type=['"]tablet['"]/.test(inactiveXml('webp2')), 'a refused tablet was defined');
  await page.selectOption('#add-input-bus', 'virtio');
  await page.click(submit);
  await until(() => /<input type=['"]tablet['"] bus=['"]virtio['"]/.test(inactiveXml('webp2')), 'no virtio tablet in webp2');
  await waitText('[data-testid=add-status]', /Añadido Dispositivo de entrada/);
  await page.selectOption('#add-input-type', 'keyboard');
  await page.selectOption('#add-input-bus', 'usb');
  await page.click(submit);
  await until(() => /<input type=['"]keyboard['"] bus=['"]usb['"]/.test(inactiveXml('webp2')), 'no USB keyboard in webp2');
  await shot('07b-add-input-es');
  vireo('start', 'webp2');
  const usbInfo = vireo('qemu-monitor-command', 'webp2', '--hmp', 'info usb');
  const qtree = vireo('qemu-monitor-command', 'webp2', '--hmp', 'info qtree');
  vireo('destroy', 'webp2');
  check(/USB Keyboard/i.test(usbInfo), `QEMU has no USB keyboard: ${usbInfo}`);
  check(/virtio-tablet/.test(qtree), 'QEMU has no virtio tablet');
  ok('add hardware: a tablet refused on ps2 by its field; a virtio tablet and a USB keyboard defined on webp2 (dumpxml) and run by QEMU (info usb: USB Keyboard; info qtree: virtio-tablet)');

  await page.selectOption('#add-kind', 'usb');
  await page.waitForSelector('#add-usb-dev');
  const sys = '/sys/bus/usb/devices';
  const hostUsb = existsSync(sys) ? readdirSync(sys).filter((n) => !n.includes(':')) : [];
  const listed = await page.locator('#add-usb-dev option').count() - 1; // less "another, by ID"
  check(listed === hostUsb.length, `the page lists ${listed} USB devices, sysfs has ${hostUsb.length}`);
  if (!hostUsb.length) await waitText('[data-testid=add-usb-none]', /Este anfitrión no tiene (bus USB|ningún dispositivo USB)/);
  await page.fill('#add-usb-vendor', '046d');
  await page.fill('#add-usb-product', 'c5zz');
  await page.click(submit);
  await waitText('[data-testid=add-usbId-error]', /cuatro dígitos hexadecimales/);
  await page.fill('#add-usb-product', 'c52b');
  await page.click(submit);
  await until(() => /<hostdev mode=['"]subsystem['"] type=['"]usb['"]/.test(inactiveXml('webp2')), 'no USB hostdev in webp2');
  const hostdev = /<hostdev[\s\S]*?<\/hostdev>/.exec(inactiveXml('webp2'))[0];
  check(/<vendor id=['"]0x046d['"]\/>/.test(hostdev) && /<product id=['"]0xc52b['"]\/>/.test(hostdev), `the USB hostdev: ${hostdev}`);
  await shot('07c-add-usb-es');
  // QEMU's usb-host reads the host's devices through usbfs: without it
  // (this host) the start is refused with the reason; with it QEMU runs
  // the device (and takes 046d:c52b when it is plugged in).
  let refusal = '';
  try { execFileSync(cli, ['start', 'webp2'], { encoding: 'utf8', stdio: 'pipe' }); } catch (e) { refusal = String(e.stderr); }
  if (existsSync('/dev/bus/usb')) {
    check(!refusal, `start with a USB hostdev: ${refusal}`);
    check(/usb-host/.test(vireo('qemu-monitor-command', 'webp2', '--hmp', 'info qtree')), 'QEMU has no usb-host');
    vireo('destroy', 'webp2');
    refusal = 'started: QEMU runs usb-host';
  } else {
    check(/<hostdev type='usb'>: this host has no USB bus \(no \/dev\/bus\/usb\)/.test(refusal), `start with a USB hostdev: ${refusal}`);
  }
  // The Hardware tab lists it with the input devices, and removes it.
  await waitText('[data-testid=hw-others] tr[data-other=hostdev-0]', /046d:c52b/);
  await shot('07c2-hardware-others-es');
  await page.click('[data-testid=hw-remove-hostdev-0]');
  await waitText('[data-testid=hw-row-status]', /Quitado hostdev-0/, 20000);
  check(!/<hostdev/.test(inactiveXml('webp2')), 'the USB hostdev is still defined after Quitar');
  check(/<input type=['"]keyboard['"] bus=['"]usb['"]/.test(inactiveXml('webp2')), 'Quitar took the USB keyboard too');
  ok(`add hardware: USB devices of the host as sysfs has them (${hostUsb.length}${hostUsb.length ? '' : ': the page says this host has none'}); a bad product ID refused by its field; 046d:c52b defined as <hostdev type='usb'> (dumpxml), its start: "${refusal.trim()}"; listed on the Hardware tab and removed there (dumpxml)`);

  await page.selectOption('#add-kind', 'pci');
  await page.waitForSelector('#add-pci-addr');
  const groups = existsSync('/sys/kernel/iommu_groups') ? readdirSync('/sys/kernel/iommu_groups') : [];
  if (!groups.length) {
    await waitText('[data-testid=add-pci-refused]', /No en este anfitrión: este anfitrión no tiene IOMMU/);
    check(await page.isDisabled(submit), 'Add is offered for a PCI device on a host without an IOMMU');
    await page.fill('#add-pci-addr', '0000:00:05.0');
    check(await page.getAttribute('#add-pci-addr', 'aria-describedby').then((d) => d.includes('add-pci-refused')), 'the reason is not tied to the field');
    await shot('07d-add-pci-refused-es');
    check(!/<hostdev/.test(inactiveXml('webp2')), 'a PCI device was defined on a host without an IOMMU');
    ok(`add hardware: a PCI device of the host is offered, and refused here by its field: "${(await text('[data-testid=add-pci-refused]')).trim()}"`);
  }
  await page.selectOption('#add-kind', 'qga');
}

// webp3, in Spanish: a disk with an ext4 filesystem and a NIC, and the
// guest agent's channel. Shut off, its Details tab sets the boot order
// per device (mixing it with the order by device kind refused by the
// field, with the reason), NIC first and disk second (dumpxml: <boot
// order> on each, no <os><boot dev>); the Hardware tab then says the
// order is per device. Started, with /data mounted in the guest through
// its agent, the Details tab lists its filesystems (domfsinfo's), freezes
// them (the agent says frozen), thaws them and trims them.
async function bootOrderAndGuestFs() {
  const fsImage = join(tmp, 'webp3-fs.raw');
  writeFileSync(fsImage, Buffer.alloc(0));
  execFileSync('truncate', ['-s', '64M', fsImage]);
  execFileSync('mkfs.ext4', ['-q', '-F', fsImage]);
  const images = env('VIREO_IMAGES');
  const xml = join(tmp, 'webp3.xml');
  writeFileSync(xml, `<domain type='qemu'><name>webp3</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${images}/tiny-vmlinuz</kernel>
    <initrd>${images}/tiny-initrd.img</initrd><cmdline>console=ttyS0 cryptomgr.notests=1</cmdline></os>
  <features><acpi/><apic/></features><on_poweroff>destroy</on_poweroff>
  <devices><disk type='file' device='disk'><driver name='qemu' type='raw' discard='unmap'/><source file='${fsImage}'/>
    <target dev='vdc' bus='virtio'/></disk><interface type='user'><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel></devices></domain>`);
  vireo('define', xml);
  const mac = /<mac address=['"]([^'"]+)['"]/.exec(inactiveXml('webp3'))[1];

  await details('webp3');
  const devs = '[data-testid=ed-boot-devices]';
  await page.waitForSelector(`${devs} li[data-boot-device=vdc]`);
  check(await page.locator(`${devs} li`).count() === 2, 'the boot list does not hold the disk and the NIC');
  check(await page.isChecked('[data-boot=hd]'), 'webp3 does not boot by kind (hd) as defined');
  await page.check(`${devs} li[data-boot-device=vdc] input[type=checkbox]`);
  await page.click('[data-testid=ed-save]');
  await waitText('[data-testid=ed-boot-error]', /no ambos .*libvirt rechaza <os><boot dev> con <boot order>/);
  check(/<boot dev=['"]hd['"]\/>/.test(inactiveXml('webp3')) && !/<boot order/.test(inactiveXml('webp3')), 'a mixed boot order was defined');
  await shot('09c-boot-mixed-refused-es');
  await page.uncheck('[data-boot=hd]');
  await page.check(`${devs} li[data-boot-device="${mac}"] input[type=checkbox]`);
  await page.click(`${devs} li[data-boot-device="${mac}"] button[aria-label^="Subir"]`);
  await waitText(`${devs} li:first-child`, new RegExp(mac));
  await waitText(`${devs} li[data-boot-device="${mac}"] [data-testid=ed-boot-order]`, /\(1\)/);
  await apply();
  let defined = inactiveXml('webp3');
  const nicBoot = /<interface[\s\S]*?<boot order=['"](\d)['"]\/>[\s\S]*?<\/interface>/.exec(defined)?.[1];
  const diskBoot = /<disk[\s\S]*?<boot order=['"](\d)['"]\/>[\s\S]*?<\/disk>/.exec(defined)?.[1];
  check(nicBoot === '1' && diskBoot === '2' && !/<boot dev=/.test(defined), `boot order per device in dumpxml: ${defined}`);
  await details('webp3');
  await waitText(`${devs} li:first-child`, new RegExp(mac));
  check(!await page.isChecked('[data-boot=hd]'), 'the order by kind came back');
  await shot('09d-boot-per-device-es');
  await page.goto(`${url}#/domains/webp3/hardware`);
  await waitText('[data-testid=hw-boot-perdev]', /arranca por el orden de sus dispositivos/);
  ok('boot order per device: mixing with the order by kind refused by the field with the reason; NIC 1, disk vdc 2 defined (dumpxml: <boot order> on each, no <os><boot dev>), read back on Details; the Hardware tab says the order is per device');

  vireo('start', 'webp3');
  const agent = (cmd) => vireo('qemu-agent-command', 'webp3', JSON.stringify(cmd));
  await until(() => { try { agent({ execute: 'guest-ping' }); return true; } catch { return false; } }, 'the agent of webp3 does not answer', 90000);
  await until(() => JSON.parse(vireo('dominfo', 'webp3', '--json')).agent_connected === true, 'dominfo --json: agent_connected is not true');
  agent({ execute: 'guest-exec', arguments: { path: '/bin/sh', arg: ['-c', 'mkdir -p /data && mount -t ext4 /dev/vda /data'] } });
  await until(() => /\/data/.test(vireo('domfsinfo', 'webp3')), 'webp3 did not mount /data', 30000);
  await details('webp3');
  await page.waitForSelector('[data-testid=fs-table] tr[data-mountpoint="/data"]', { timeout: 20000 });
  check(await text('tr[data-mountpoint="/data"] [data-testid=fs-targets]') === 'vdc', 'the page does not name the disk vdc');
  const fsinfo = JSON.parse(vireo('domfsinfo', 'webp3', '--json'));
  const rows = await page.locator('[data-testid=fs-table] tbody tr').count();
  check(rows === fsinfo.length, `the page lists ${rows} filesystems, domfsinfo ${fsinfo.length}`);
  const status = () => agent({ execute: 'guest-fsfreeze-status' }).trim();
  await page.check('tr[data-mountpoint="/data"] input[type=checkbox]');
  await page.click('[data-testid=fs-freeze]');
  await waitText('[data-testid=fs-status]', /Congelados 1 sistemas de archivos/, 20000);
  check(status() === '{"return":"frozen"}', `after Congelar the agent says ${status()}`);
  await shot('09e-guestfs-frozen-es');
  await page.click('[data-testid=fs-thaw]');
  await waitText('[data-testid=fs-status]', /Descongelados 1 sistemas de archivos/, 20000);
  check(status() === '{"return":"thawed"}', `after Descongelar the agent says ${status()}`);
  await page.click('[data-testid=fs-trim]');
  await waitText('[data-testid=fs-status]', /Recortados \d+ sistemas de archivos/, 30000);
  ok(`guest filesystems on the Details tab of the running webp3 (dominfo --json: agent_connected): ${rows} listed as domfsinfo (/data on vdc); /data frozen (the agent says frozen) and thawed (thawed); trimmed: "${(await text('[data-testid=fs-status]')).trim()}"`);
  // Off the page of webp3 first, and undefined once the list has it shut
  // off: the list drops it on the event without reading it (no 404).
  await page.goto(url);
  await page.waitForSelector('tr[data-domain=webp1]');
  vireo('destroy', 'webp3');
  await waitText('tr[data-domain=webp3] [data-testid=state]', /apagad|shut off/i);
  await page.waitForTimeout(500);
  vireo('undefine', 'webp3');
  await page.waitForSelector('tr[data-domain=webp3]', { state: 'detached' });
}

async function serialDevices() {
  await page.goto(`${url}#/domains/webp2/hardware`);
  await page.waitForSelector('[data-testid=hw-add]');
  await addChar('qga', '[data-testid=add-status]');
  await waitText('[data-testid=add-status]', /Añadido Canal: agente invitado de QEMU/);
  await addChar('console', '[data-testid=add-status]');
  await waitText('[data-testid=add-status]', /Añadido Consola/);
  let xml = inactiveXml('webp2');
  check(/<channel type=['"]unix['"]>[\s\S]*org\.qemu\.guest_agent\.0/.test(xml), `no agent channel: ${xml}`);
  check(/<console type=['"]pty['"]>\s*<target type=['"]virtio['"]/.test(xml), `no virtio console: ${xml}`);
  await page.selectOption('#add-kind', 'vdagent');
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('#add-kind-error', /spice|SPICE/, 20000);
  check(!/com\.redhat\.spice\.0/.test(inactiveXml('webp2')), 'a refused vdagent channel was defined');
  await shot('07-add-channel-refused-es');
  ok(`add hardware: the agent channel and a virtio console defined on webp2 (dumpxml); the SPICE channel refused next to its field: "${(await text('#add-kind-error')).trim()}"`);

  await hostDevices();

  await page.goto(`${url}#/domains/webp1/hardware`);
  await page.waitForSelector('[data-testid=hw-add]');
  await page.selectOption('#add-kind', 'serial');
  await waitText('[data-testid=add-when]', /Se aplica en el próximo arranque/);
  await page.click('[data-testid=hw-add] button[type=submit]');
  await waitText('[data-testid=add-status]', /Añadido Puerto serie\. Se aplica en el próximo arranque/, 20000);
  await shot('08-add-serial-running-es');
  check(/<serial type=['"]pty['"]>\s*<target[^>]*port=['"]1['"]/.test(inactiveXml('webp1')), 'no serial port 1 in the definition');
  check(!/port=['"]1['"]/.test(vireo('dumpxml', 'webp1')), 'the running webp1 got serial port 1 live');
  ok('add hardware: a serial port on the running webp1 goes into its next start only (dumpxml --inactive has port 1, the live XML not)');

  // The Hardware tab lists it too, and removes it (from the next start).
  await page.waitForSelector('[data-testid=hw-serials] tr[data-serial=serial-1]');
  await shot('08b-hardware-serials-es');
  await page.click('[data-testid=hw-remove-serial-1]');
  await waitText('[data-testid=hw-row-status]', /Quitado serial-1: el próximo arranque ya no lo tiene/, 20000);
  check(!/port=['"]1['"]/.test(inactiveXml('webp1')), 'serial port 1 still defined after Quitar on the Hardware tab');
  check(await page.locator('[data-testid=hw-serials] tr[data-serial=serial-1]').count() === 0, 'serial-1 still listed');
  check(/<serial type=['"]pty['"]>/.test(inactiveXml('webp1')), 'serial port 0 of webp1 went too');
  ok('hardware: the serial ports, consoles and channels of webp1 listed on the Hardware tab; Quitar took serial port 1 out of its next start (dumpxml --inactive)');
  await details('webp2');
  await page.waitForSelector('tr[data-serial="channel-org.qemu.guest_agent.0"]');
  await shot('09-serial-list-es');
  await page.click('[data-testid="ed-serial-remove-channel-org.qemu.guest_agent.0"]');
  await page.click('[data-testid=ed-serial-remove-console-virtio-0]');
  await apply();
  xml = inactiveXml('webp2');
  check(!/guest_agent|<console type=['"]pty['"]>\s*<target type=['"]virtio['"]/.test(xml), `channel or virtio console left: ${xml}`);
  check(/<serial type=['"]pty['"]>/.test(xml), 'serial port 0 went too');
  ok('remove: serial port 1 of webp1, the agent channel and the virtio console of webp2 gone from their definitions (dumpxml); serial port 0 stays');
  // webp2 has no screen: the Details tab says so and adds a video card.
  await details('webp2');
  await waitText('[data-testid=ed-video]', /Sin tarjeta de vídeo/);
  await page.click('[data-testid=ed-video-add]');
  await page.selectOption('#ed-video', 'qxl');
  await shot('09b-video-added-es');
  await apply();
  xml = inactiveXml('webp2');
  check(/<video>\s*<model type=['"]qxl['"]/.test(xml), `no qxl video in webp2: ${xml}`);
  await page.waitForSelector('#ed-video');
  ok('details: webp2 without a screen said so ("Sin tarjeta de vídeo") and got a qxl video card (dumpxml --inactive)');
  await page.selectOption('[data-testid=lang]', 'en');
  await page.goto(url);
}

await runSteps(async () => {
  await login(page, url, token);
  ok('logged in');
  await vmList();
  await hardwareTab();
  await firmwareTab();
  await serialDevices();
  await page.selectOption('[data-testid=lang]', 'es');
  await bootOrderAndGuestFs();
  await page.selectOption('[data-testid=lang]', 'en');
  await hostPage();
  await networksPage();
  await networksLive();
  await storagePage();
  await storageLive();
  await storageAfterRestart();
  await spanishAndNarrow();
}, { ok, problems, ctx, failShot: () => shot('pages-failure'), cleanup: () => rmSync(tmp, { recursive: true, force: true }) });
