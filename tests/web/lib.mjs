// What the browser tests share: the environment, Debian's Chromium under
// playwright-core, numbered "ok" lines and the page-error watch.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const env = (k) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();

const require = createRequire(join(env('VIREO_SRC'), 'web', 'package.json'));
export const { chromium } = require('playwright-core');

export const executablePath = process.env.VIREO_CHROMIUM ?? '/usr/bin/chromium';

// A persistent browser profile in `dir`, English, headless.
export function launch(dir, viewport, extra = {}) {
  return chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    locale: 'en-US',
    viewport,
    ...extra,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// ok('what') prints "ok LABEL N - what".
export function counter(label) {
  let n = 0;
  return (what) => console.log(`ok ${label} ${++n} - ${what}`);
}

// Page errors and console errors go into `problems`, except console
// errors matching `expected` (answers the test provokes on purpose),
// which is given the error's text and, in brackets, its URL.
export function watch(page, problems, expected) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e.message}`));
  page.on('console', (m) => {
    // A failed load names no URL in its text: the location does.
    const line = `${m.text()} (${m.location()?.url ?? ''})`;
    if (m.type() === 'error' && !expected.test(line)) problems.push(`console error: ${line}`);
  });
}

// Log in on the login form at `url` with `token`.
export async function login(page, url, token) {
  await page.goto(url);
  await page.waitForSelector('vr-login form');
  await page.fill('#token', token);
  await page.click('vr-login button[type=submit]');
  await page.waitForSelector('nav a[href="#/host"]');
}

// Run a test's steps: the page's problems fail it at the end; a failure
// prints FAIL with them and takes the screenshot failShot(); the browser
// context closes and cleanup() runs either way.
export async function runSteps(steps, { ok, problems, failShot, ctx, cleanup }) {
  try {
    await steps();
    if (problems.length) throw new Error(problems.join('\n'));
    ok('no errors in the page');
  } catch (e) {
    await failShot().catch(() => {});
    console.error(`FAIL: ${e.message}`);
    if (problems.length) console.error(problems.join('\n'));
    process.exitCode = 1;
  } finally {
    await ctx.close();
    cleanup();
  }
}
