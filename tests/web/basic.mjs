// The web manager in a real browser: headless Chromium (Debian's) driven
// by playwright-core against a real vireod and a real QEMU guest, which
// tests/integration/web.sh sets up. Environment: VIREO_WEB_URL,
// VIREO_WEB_TOKEN, VIREO_CLI (the vireo binary, VIREO_DEFAULT_URI set),
// VIREO_WEB_DOMAIN (a defined, shut-off tiny guest), VIREO_ARTIFACTS
// (screenshots), VIREO_SRC.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const require = createRequire(join(env('VIREO_SRC'), 'web', 'package.json'));
const { chromium } = require('playwright-core');

const url = env('VIREO_WEB_URL');
const token = env('VIREO_WEB_TOKEN');
const dom = env('VIREO_WEB_DOMAIN');
const cli = env('VIREO_CLI');
const shots = env('VIREO_ARTIFACTS');
mkdirSync(shots, { recursive: true });

let n = 0;
const ok = (what) => console.log(`ok web ${++n} - ${what}`);
const shot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

const profile = mkdtempSync(join(tmpdir(), 'vireo-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.VIREO_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  locale: 'en-US',
  viewport: { width: 1100, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = ctx.pages()[0] ?? await ctx.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
// 401s are expected: the page asks before logging in, and the wrong token.
page.on('console', (m) => {
  if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console error: ${m.text()}`);
});

try {
  await page.goto(url);
  await page.waitForSelector('vr-login form');
  ok('the login form shows');

  await page.fill('#token', 'not-the-token');
  await page.click('vr-login button[type=submit]');
  await page.waitForFunction(() => /Wrong token/.test(document.querySelector('[data-testid=login-error]')?.textContent ?? ''));
  await shot(page, '01-login-wrong-token');
  ok('a wrong token is refused visibly');

  await page.fill('#token', token);
  await page.click('vr-login button[type=submit]');
  const row = page.locator(`tr[data-domain="${dom}"]`);
  await row.waitFor();
  await page.waitForSelector('[data-testid=live].on');
  const cells = await row.locator('td').allTextContents();
  if (!/shut off/.test(cells[1]) || cells[2].trim() !== '1' || !/256 MiB/.test(cells[3]))
    throw new Error(`list row: ${JSON.stringify(cells)}`);
  await shot(page, '02-domain-list');
  ok('logged in: the list shows the VM (state, vCPUs, memory) and the event feed is live');

  await row.locator('a').click();
  await page.waitForSelector('vr-domain-page [data-action=start]:not([disabled])');
  await page.click('[data-action=start]');
  await page.waitForFunction(() => document.querySelector('[data-testid=domain-state]')?.textContent === 'running');
  ok('Start: the page shows it running');
  await page.waitForFunction(() => document.querySelector('vr-console')?.text().includes('VIREO-GUEST-READY'),
    null, { timeout: 60000 });
  await shot(page, '03-domain-console');
  ok('VIREO-GUEST-READY in the embedded serial console');

  // Typing in the console reaches the guest's shell.
  await page.click('vr-console .terminal');
  await page.keyboard.type('echo web-$((6*7))\n');
  await page.waitForFunction(() => document.querySelector('vr-console')?.text().includes('web-42'), null, { timeout: 20000 });
  ok('keys typed in the console reach the guest');

  execFileSync(cli, ['shutdown', dom], { stdio: 'inherit' });
  await page.waitForFunction(() => document.querySelector('[data-testid=domain-state]')?.textContent === 'shut off',
    null, { timeout: 60000 });
  await shot(page, '04-domain-shut-off');
  ok('shut down from the CLI: the state changes live on the page');

  await page.click('a[href="#/"]');
  await page.selectOption('[data-testid=lang]', 'es');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Máquinas virtuales');
  await page.waitForFunction((d) => document.querySelector(`tr[data-domain="${d}"] [data-testid=state]`)?.textContent === 'apagada', dom);
  await shot(page, '05-domain-list-es');
  ok('Spanish: the list in Spanish');

  if (problems.length) throw new Error(problems.join('\n'));
  ok('no errors in the page');
} catch (e) {
  await shot(page, 'failure').catch(() => {});
  console.error(`FAIL: ${e.message}`);
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
