// The web manager served by a user's session daemon (vireod --session
// --web): the one-time login link logs in; the VM list is that user's
// (vireo:///session); a VM started from its page runs; with the page
// open (its event feed connected) the daemon, started with --timeout 3,
// stays past its idle timeout. tests/integration/web-session.sh runs it.
// Environment: VIREO_LOGIN_LINK, VIREO_SESSION_PID, VIREO_HOLDER_PID (a
// CLI client that held the daemon until now), VIREO_ARTIFACTS, VIREO_SRC.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { counter, env, launch, runSteps, watch } from './lib.mjs';

const shots = env('VIREO_ARTIFACTS');
mkdirSync(shots, { recursive: true });
const ok = counter('session');
function check(cond, what) { if (!cond) throw new Error(what); }
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

const tmp = mkdtempSync(join(tmpdir(), 'vireo-session-'));
const ctx = await launch(join(tmp, 'profile'), { width: 1200, height: 900 }, { locale: 'es-ES' });
const page = ctx.pages()[0] ?? await ctx.newPage();
const problems = [];
watch(page, problems, /status of 401/);
const shot = (name) => page.screenshot({ path: join(shots, `session-${name}.png`), fullPage: true });

await runSteps(async () => {
  await page.goto(env('VIREO_LOGIN_LINK'));
  await page.waitForSelector('tr[data-domain=sesionvm]');
  await page.waitForSelector('[data-testid=live].on');
  const names = await page.locator('[data-testid=domain-list] tr[data-domain]').evaluateAll((rows) => rows.map((r) => r.dataset.domain));
  check(names.join() === 'sesionvm', `the list shows ${names}`);
  ok("the login link logs in; the list is the session's: sesionvm only");

  await page.click('tr[data-domain=sesionvm] a');
  await page.click('[data-action=start]');
  await page.waitForFunction(() => document.querySelector('[data-testid=domain-state]')?.textContent === 'en ejecución',
    null, { timeout: 30000 });
  await shot('mv-en-ejecucion');
  ok('sesionvm started from its page: en ejecución');

  // Past the daemon's 3 s idle timeout with only the browser connected:
  // the CLI client that held it is ended, the VM stopped (a running VM
  // alone keeps it too).
  process.kill(Number(env('VIREO_HOLDER_PID')), 'SIGTERM');
  await page.click('[data-action=destroy]');
  await page.waitForFunction(() => document.querySelector('[data-testid=domain-state]')?.textContent === 'apagada',
    null, { timeout: 30000 });
  await page.waitForTimeout(6000);
  check(alive(Number(env('VIREO_SESSION_PID'))), 'the session daemon left while the browser was connected');
  await page.reload();
  await page.waitForSelector('[data-testid=domain-state]');
  ok('with the page open (its event feed) the daemon stays past its idle timeout');
  await page.click('[data-action=start]');
  await page.waitForFunction(() => document.querySelector('[data-testid=domain-state]')?.textContent === 'en ejecución',
    null, { timeout: 30000 });
}, {
  ok, problems, ctx, cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  failShot: () => page.screenshot({ path: join(shots, 'session-failure.png'), fullPage: true }),
});
