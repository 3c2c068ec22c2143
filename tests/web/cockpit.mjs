// Cockpit's Machines page against vireod (run by tests/integration/cockpit.sh,
// which starts vireod, libvirt-dbus and cockpit-ws in namespaces of its own):
// what a user does there, clicked, each result checked on the page and, for
// what changes a VM, with `vireo domstate`. COCKPIT_SHORT: the list alone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, launch, counter, watch, runSteps } from './lib.mjs';

const url = env('COCKPIT_URL');
const art = env('VIREO_ARTIFACTS');
const short = process.env.COCKPIT_SHORT === '1';
mkdirSync(art, { recursive: true });
const ok = counter('cockpit');
const problems = [];
const vireo = (...args) => execFileSync(env('VIREO_CLI'), args, { encoding: 'utf8' }).trim();
const domstate = (name) => vireo('domstate', name);

const profile = mkdtempSync(join(tmpdir(), 'vireo-cockpit-'));
const ctx = await launch(profile, { width: 1280, height: 900 });
const page = ctx.pages()[0] ?? await ctx.newPage();
// Cockpit's own noise, the same against libvirtd: Redux's minified-build
// notice, PatternFly's scrollbar probe, the login probe's 401 before the
// local session is up, noVNC's complaint when the VM under an open VNC
// tab stops, the serial console's xterm styling itself inline against
// Cockpit's own Content-Security-Policy.
watch(page, problems, new RegExp('minified code outside of NODE_ENV|Scrollbar test exception|status of 401|' +
  'changing state of a disconnected RFB object|Applying inline style violates'));
const shot = (name) => page.screenshot({ path: join(art, `${name}.png`) });
const m = page.frameLocator('iframe[name="cockpit1:localhost/machines"]');
const row = (name) => m.locator(`#vm-${name}-system-state`);

// Wait (up to `s` seconds) until `what()` is true, polling.
async function until(s, label, what) {
  const end = Date.now() + s * 1000;
  for (;;) {
    let last;
    try { if (await what()) return; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${s}s waiting for ${label}${last ? `: ${last.message}` : ''}`);
    await page.waitForTimeout(250);
  }
}

async function stateIs(name, pageState, cliState) {
  await until(90, `${name} ${pageState} on the page`, async () => (await row(name).innerText()).trim() === pageState);
  await until(30, `vireo domstate ${name}: ${cliState}`, () => domstate(name) === cliState);
  ok(`${name} is ${pageState} on the page, and vireo domstate says ${cliState}`);
}

await runSteps(async () => {
  await page.goto(`${url}machines`);
  // This host has no VT-x/AMD-V: Cockpit asks virt-host-validate, says so
  // and offers to go on (guests run under TCG). A KVM host shows no notice.
  const ignore = m.getByRole('button', { name: 'Ignore' });
  await until(60, 'the Machines page', async () =>
    await ignore.isVisible() || await row('c-run').isVisible());
  if (await ignore.isVisible()) {
    await shot('00-no-hardware-virtualization');
    await ignore.click();
    ok('the page says this host lacks hardware virtualization; Ignore goes on');
  }

  // The list: each VM with its state, as vireod has them.
  await until(60, 'both VMs in the list', async () =>
    (await row('c-run').innerText()).trim() === 'Running' && (await row('c-off').innerText()).trim() === 'Shut off');
  ok('the list shows c-run Running and c-off Shut off');
  await until(20, 'the pool and network counts', async () =>
    /1\s*Storage pool/.test(await m.locator('body').innerText()));
  ok('the list counts the default storage pool');
  if (await m.getByText('Failed to fetch some resources').isVisible())
    throw new Error('the page says: Failed to fetch some resources');
  ok('no "Failed to fetch some resources" alert');
  await shot('01-list');
  if (short) return;

  // A VM's page: its overview, disks and network interfaces.
  await m.getByRole('link', { name: 'c-run' }).click();
  const body = () => m.locator('body').innerText();
  await until(30, "c-run's overview", async () => /Overview[\s\S]*Memory/.test(await body()));
  // Each value is followed by its "edit" link.
  const first = async (id) => (await m.locator(id).innerText()).trim().split(/\s*\n/)[0];
  const memory = await first('#vm-c-run-memory-count');
  if (!/^256(\.0)? MiB$/.test(memory)) throw new Error(`memory shows '${memory}', want 256 MiB`);
  const vcpus = await first('#vm-c-run-vcpus-count');
  if (vcpus !== '1') throw new Error(`vCPUs show '${vcpus}', want 1`);
  ok(`the overview: memory ${memory}, ${vcpus} vCPU`);
  // No <cpu> in c-run's XML: the live XML names the model QEMU runs.
  const cpuType = await first('#vm-c-run-cpu-model');
  if (cpuType !== 'custom (qemu64)') throw new Error(`CPU type shows '${cpuType}', want 'custom (qemu64)'`);
  ok(`the overview: CPU type ${cpuType}, QEMU's default model`);
  const disks = m.locator('#vm-c-run-disks');
  await until(30, "c-run's disk", async () => (await disks.innerText()).includes(env('COCKPIT_DISK')));
  ok(`the disks list vdb at ${env('COCKPIT_DISK')}`);
  const nics = m.locator('#vm-c-run-networks');
  await until(30, "c-run's interface", async () => /52:54:00:c0:c7:01/.test(await nics.innerText()));
  const nicText = await nics.innerText();
  if (!/virtio/.test(nicText)) throw new Error(`the interface's model is not shown: ${nicText}`);
  ok('the network interfaces list its MAC and model virtio');

  // The VNC console: Cockpit's noVNC reaches QEMU's display on 127.0.0.1.
  const consoles = m.locator('#vm-c-run-consoles');
  await until(30, 'the VNC console', async () => (await consoles.locator('canvas').count()) > 0);
  await until(30, 'a picture in the VNC console', async () =>
    consoles.locator('canvas').first().evaluate((c) => c.width > 100 && c.height > 100));
  await shot('02-overview-vnc');
  ok('the VNC console shows the guest\'s screen');

  // The serial console: the page runs `virsh console c-run serial0`, the
  // alias of the live XML's console (virsh also warns that it cannot
  // register a polkit agent: the private bus has no polkit).
  await consoles.locator('button', { hasText: 'VNC console' }).first().click();
  await consoles.getByText('Serial console', { exact: true }).first().click();
  const term = consoles.locator('.xterm');
  await until(30, 'the serial console', () => term.isVisible());
  await page.waitForTimeout(2000); // virsh connects
  await term.click();
  await page.keyboard.type('echo cockpit-$((6*7))\n');
  // The terminal draws on a canvas: what the guest printed is read back
  // from its serial log, which holds what the console shows.
  const log = env('COCKPIT_SERIAL_LOG');
  await until(30, 'the guest answering on the serial console', () =>
    /^cockpit-42\r?$/m.test(readFileSync(log, 'utf8')));
  await shot('03-serial-console');
  ok('the serial console: a command typed runs in the guest');

  // Shut down (the guest's ACPI button), Run, Force shut down.
  await m.locator('#vm-c-run-system-shutdown-button').click();
  await stateIs('c-run', 'Shut off', 'shut off');
  await shot('04-shut-down');
  await m.locator('#vm-c-run-system-run').click();
  await stateIs('c-run', 'Running', 'running');
  await m.locator('#vm-c-run-system-action-kebab').click();
  await m.locator('#vm-c-run-system-forceOff').click();
  await stateIs('c-run', 'Shut off', 'shut off');
  await shot('05-forced-off');

  // Import VM (issues 16 and 21): Cockpit's virt-install asks for a VNC
  // and a SPICE display (the domain capabilities offer both); the tiny
  // guest's disk, imported, runs with both.
  await page.goto(`${url}machines`);
  await m.locator('#import-existing-vm').click();
  const dialog = m.locator('#create-vm-dialog');
  await until(30, 'the Import VM dialog', () => dialog.isVisible());
  await dialog.locator('#vm-name').fill('c-import');
  // The disk: Cockpit's file typeahead lists the directory, then the file.
  const disk = env('COCKPIT_IMPORT_DISK');
  await dialog.locator('#source-disk-group input').fill(disk);
  const file = dialog.getByRole('option', { name: disk, exact: true });
  await until(30, `${disk} offered in the file list`, () => file.isVisible());
  await file.click();
  // The OS typeahead filters on keystrokes, and hides the releases past
  // their end of life: Debian's testing has none.
  await dialog.locator('#os-select-group input').pressSequentially('Debian', { delay: 50 });
  const os = dialog.getByRole('option', { name: /^Debian/ }).first();
  await until(30, 'Debian in the OS list', () => os.isVisible());
  await os.click();
  await shot('06-import-dialog');
  await dialog.locator('#create-and-run').click();
  await until(120, 'the Import VM dialog to close (virt-install done)', async () => {
    const alert = dialog.locator('.pf-c-alert');
    if (await dialog.isVisible() && await alert.count() > 0)
      throw new Error(`the dialog says: ${(await alert.first().innerText()).trim()}`);
    return !(await dialog.isVisible());
  });
  await stateIs('c-import', 'Running', 'running');
  const xml = vireo('dumpxml', 'c-import');
  if (!/<graphics type="vnc"/.test(xml) || !/<graphics type="spice"/.test(xml))
    throw new Error(`c-import lacks a VNC or a SPICE display: ${xml.match(/<graphics[^>]*>/g)}`);
  ok('Import VM: virt-install defined c-import with a VNC and a SPICE display');
  await until(120, 'the imported guest boots (its serial console)', () =>
    /VIREO-GUEST-READY/.test(readFileSync(env('COCKPIT_IMPORT_SERIAL_LOG'), 'utf8')));
  await shot('07-imported');
  ok('the imported VM runs the tiny guest from its disk');
}, { ok, problems, failShot: () => shot('failure'), ctx, cleanup: () => rmSync(profile, { recursive: true, force: true }) });
