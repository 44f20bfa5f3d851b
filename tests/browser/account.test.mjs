// account.test.mjs - accounts in a real browser: register -> confirm the
// email address from the email -> sign out -> sign in -> sign out, with
// the keyboard alone (Tab, Enter and typing; no mouse, no clicks); axe
// finds nothing on any account or people page, including forms with
// errors; nothing scrolls sideways on a 320px phone; a form works with
// JavaScript off; and screenshots (build/screenshots/account-*.png and
// people-*.png; `make screenshots` copies them to docs/screenshots).
//
// The server needs --dev-mode true (cookies without Secure, over plain
// http) and --mail-dir (each email a .eml file we read the link from), and
// an admin made with `kith user add` before it starts: start()'s prepare
// and args (lib.mjs).

import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  checkAxe, devServer, h1, noSidewaysScroll, SCREENSHOTS, served, tabTo,
  signedIn,
} from './lib.mjs';

const PASSWORD = 'purple kettle orbit 42';
const ADMIN = { email: 'ada.admin@example.org', password: 'lantern meadow quartz 17' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const env = served({
  prefix: 'kith-account-',
  prepare: (run) => {
    run(['migrate']);
    run(['user', 'add', '--email', ADMIN.email, '--name', 'Ada Admin', '--role', 'admin',
      '--password-stdin'], `${ADMIN.password}\n`);
    run(['user', 'add', '--email', 'mo.member@example.org', '--name', 'Mo Member', '--role',
      'member', '--password-stdin'], `${PASSWORD}\n`);
  },
  args: (base, dir) => [...devServer(base, dir), '--outbox-poll', '1'],
});

// The newest email to an address, as text with quoted-printable undone
// enough to read links (they are hex, so only soft line breaks matter).
async function mailTo(address, count = 1) {
  const mailDir = join(env.dir, 'mail');
  for (let i = 0; i < 100; i++) {
    let files = [];
    try { files = readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort(); } catch { /* not yet */ }
    const mine = files.map((f) => readFileSync(join(mailDir, f), 'utf8'))
      .filter((m) => m.includes(`To: <${address}>`));
    if (mine.length >= count) return mine.at(-1).replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    await sleep(100);
  }
  throw new Error(`no email to ${address} within 10 s`);
}

// Presses Tab until the element matching selector has focus; fails if it
// is never reached (so it must be reachable by keyboard, in order).
async function focusedIsVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    const yellow = 'rgb(255, 221, 0)';
    return cs.backgroundColor === yellow || cs.boxShadow.includes(yellow) ||
      (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2);
  });
}


// Before a screenshot: the page shows its heading and the words it is
// for, and nothing is wider than the screen.
async function showsAndFits(page, what, heading, words) {
  assert.ok(await page.locator('main h1').isVisible(), `${what}: the heading is visible`);
  assert.equal(await h1(page), heading, what);
  assert.match(await page.locator('main').innerText(), words, what);
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `${what} is ${scroll}px wide on a ${inner}px screen`);
}

// Signs in through the form, with the keyboard, starting on any page.
async function keyboardSignIn(page, email, password) {
  await page.goto(`${env.base}/login`);
  await tabTo(page, '#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await Promise.all([signedIn(page), page.keyboard.press('Enter')]);
}

describe('register, confirm, sign out and in with the keyboard only', { timeout: 120_000 }, () => {
  test('the whole journey, axe-clean at every step', async () => {
    const page = await env.page();
    const email = 'dot.cotton@example.org';

    // From the home page to the register page.
    await page.goto(`${env.base}/`);
    await tabTo(page, 'header a[href="/register"]');
    assert.ok(await focusedIsVisible(page), 'the focused link can be seen');
    await Promise.all([page.waitForURL(/\/register$/), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'Create an account');
    await checkAxe(page, '/register');

    // A mistake first: the error summary takes focus and links to the field.
    await tabTo(page, '#name');
    await page.keyboard.type('Dot Cotton');
    await page.keyboard.press('Tab');
    await page.keyboard.type('dot.cotton@');
    await tabTo(page, '#password');
    await page.keyboard.type('short');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('.govuk-error-summary');
    assert.match(await page.title(), /^Error: Create an account/);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('govuk-error-summary')), true,
      'the error summary has focus');
    assert.equal(await page.inputValue('#name'), 'Dot Cotton', 'what was typed is kept');
    assert.equal(await page.inputValue('#password'), '', 'but never the password');
    await checkAxe(page, '/register with errors');
    // The summary's first link goes to the email field.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#email');

    // Put it right and create the account.
    await tabTo(page, '#email');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(email);
    await tabTo(page, '#password');
    await page.keyboard.type(PASSWORD);
    await Promise.all([page.waitForURL(/\/account\?done=registered$/), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'Your account');
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /We have sent a link to dot\.cotton@example\.org/);
    await checkAxe(page, '/account (not yet confirmed)');

    // The email: a link, no password.
    const mail = await mailTo(email);
    assert.ok(!mail.includes(PASSWORD), 'the email has no password');
    const link = mail.match(/http:\/\/127\.0\.0\.1:\d+\/verify-email\/[0-9a-f]{64}/)?.[0];
    assert.ok(link, 'the email has a confirmation link');
    await page.goto(link);
    assert.equal(await h1(page), 'Confirm your email address');
    await checkAxe(page, '/verify-email/…');
    await tabTo(page, 'main button');
    await Promise.all([page.waitForURL(/done=verified$/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /Your email address is confirmed/);
    assert.equal(await page.locator('text=Not confirmed yet').count(), 0);

    // Sign out with the header's button.
    await tabTo(page, 'header button');
    assert.equal((await page.evaluate(() => document.activeElement.innerText)).trim(), 'Sign out');
    assert.ok(await focusedIsVisible(page), 'the focused Sign out button can be seen');
    await Promise.all([page.waitForURL(/\/signed-out$/), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'You have signed out');
    await checkAxe(page, '/signed-out');

    // Sign in from the header link.
    await tabTo(page, 'header a[href="/login"]');
    await Promise.all([page.waitForURL(/\/login$/), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'Sign in');
    await checkAxe(page, '/login');
    await tabTo(page, '#email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await Promise.all([page.waitForURL(/\/account$/), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'Your account');
    assert.match(await page.locator('header').innerText(), /Signed in as Dot Cotton/);

    // And out again.
    await tabTo(page, 'header button');
    await Promise.all([page.waitForURL(/\/signed-out$/), page.keyboard.press('Enter')]);
    const resp = await page.goto(`${env.base}/account`);
    assert.match(page.url(), /\/login\?next=%2Faccount$/, 'signed out, /account asks you to sign in');
    assert.equal(resp.status(), 200);
    await page.close();
  });

  test('signing in works with JavaScript turned off', async () => {
    const page = await env.page({ javaScriptEnabled: false });
    await page.goto(`${env.base}/login`);
    await page.locator('#email').fill(ADMIN.email);
    await page.locator('#password').fill(ADMIN.password);
    await Promise.all([page.waitForURL(/\/account$/), page.locator('#password').press('Enter')]);
    assert.equal(await h1(page), 'Your account');
    await page.close();
  });
});

// Every account and people page: axe finds nothing, 320px fits.
const SIGNED_OUT = ['/register', '/login', '/password-reset', '/password-reset/sent', '/signed-out',
  '/signed-out?reason=deactivated', '/signed-out?reason=deleting', '/verify-email/0000',
  '/password-reset/0000'];
const SIGNED_IN = ['/account', '/account/details', '/account/email', '/account/password',
  '/account/sessions', '/account/tokens', '/account/data', '/account/deactivate', '/account/delete',
  '/people', '/people/1', '/people/2'];

describe('every account page, as a visitor and signed in', { timeout: 180_000 }, () => {
  test('no axe violations, and nothing wider than a 320px phone', async () => {
    const page = await env.page();
    const small = await env.page({ width: 320, height: 640 });
    for (const path of SIGNED_OUT) {
      await page.goto(env.base + path);
      await checkAxe(page, path);
      await small.goto(env.base + path);
      await noSidewaysScroll(small, path);
    }
    await keyboardSignIn(page, ADMIN.email, ADMIN.password);
    await keyboardSignIn(small, ADMIN.email, ADMIN.password);
    for (const path of SIGNED_IN) {
      const resp = await page.goto(env.base + path);
      assert.equal(resp.status(), 200, path);
      await checkAxe(page, path);
      await small.goto(env.base + path);
      await noSidewaysScroll(small, path);
      // Everything in the header, and every button, is easy to tap.
      const tiny = await small.evaluate(() => [...document.querySelectorAll('header a, header button, .govuk-button')]
        .map((el) => ({ el, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.height < 44 || r.width < 44)
        .map(({ el, r }) => `${el.tagName.toLowerCase()} '${el.innerText.trim()}' ${Math.round(r.width)}x${Math.round(r.height)}`));
      assert.deepEqual(tiny, [], `targets smaller than 44px on ${path}`);
    }
    // Forms with errors.
    for (const [path, button] of [['/account/password', 'Change password'], ['/account/delete', 'Delete my account'],
      ['/account/tokens', 'Create token'], ['/people/2', 'Give role']]) {
      await page.goto(env.base + path);
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button }).press('Enter')]);
      await page.waitForSelector('.govuk-error-summary');
      await checkAxe(page, `${path} with errors`);
    }
    // A token shown once.
    await page.goto(`${env.base}/account/tokens`);
    await page.locator('#token_name').fill('Browser test');
    await Promise.all([page.waitForLoadState('load'), page.locator('#token_name').press('Enter')]);
    assert.equal(await h1(page), 'Your new API token');
    assert.match(await page.inputValue('#token'), /^kt_[0-9a-f]{64}$/);
    await checkAxe(page, 'the new token');
    await small.goto(`${env.base}/account/tokens`);
    await noSidewaysScroll(small, '/account/tokens with a token');
    await page.close();
    await small.close();
  });

  test('screenshots: register, sign in and the account pages at 1280px and 375px', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Each picture, and what must be on the page when it is taken: its
    // heading and a line of what it is for.
    const shots = [
      ['account-register', '/register', false, 'Create an account', /Create account/],
      ['account-login', '/login', false, 'Sign in', /Forgotten your password\?/],
      ['account-password-reset', '/password-reset', false, 'Reset your password', /email/i],
      ['account', '/account', true, 'Your account', /ada\.admin@example\.org/],
      ['account-password', '/account/password', true, 'Change your password', /sign you out on your other devices/],
      ['account-sessions', '/account/sessions', true, 'Where you are signed in', /This device/],
      ['people', '/people', true, 'People', /Mo Member/],
      ['people-person', '/people/2', true, 'Mo Member', /mo\.member@example\.org/],
    ];
    for (const [kind, width] of [['desktop', 1280], ['mobile', 375]]) {
      const page = await env.page({ width, height: 800 });
      let signedIn = false;
      await page.context().clearCookies();
      for (const [name, path, needsSignIn, heading, words] of shots) {
        if (needsSignIn && !signedIn) {
          await keyboardSignIn(page, ADMIN.email, ADMIN.password);
          signedIn = true;
        }
        const resp = await page.goto(env.base + path);
        assert.equal(resp.status(), 200, path);
        await showsAndFits(page, path, heading, words);
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${kind}.png`), fullPage: true });
      }
      // The register form with its errors, too.
      await page.context().clearCookies();
      await page.goto(`${env.base}/register`);
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Create account' }).press('Enter')]);
      await page.waitForSelector('.govuk-error-summary');
      await showsAndFits(page, '/register with errors', 'Create an account', /There is a problem/);
      await page.screenshot({ path: join(SCREENSHOTS, `account-register-errors-${kind}.png`), fullPage: true });
      await page.close();
    }
  });
});
