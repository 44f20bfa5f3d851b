// claim.test.mjs - bringing on organisations with nobody on kith, in a
// real browser on the demo town (whose other organisations have nobody on
// kith and referrals waiting): the coordinator's list, recording an email
// address (with an error first), sending the claim link; the link's page
// as a visitor, creating an account from it and claiming the organisation;
// the used link. axe finds nothing on each page, and nothing scrolls
// sideways on a phone; screenshots (build/screenshots/bring-on-desktop.png,
// claim-mobile.png).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  checkAxe, DEMO_PASSWORD, demoTown, h1, noSidewaysScroll, SCREENSHOTS, signedIn,
} from './lib.mjs';

const COORDINATOR = 'coordinator@demo.kith.test';
const PHONE = { width: 375, height: 740 };
const ADDRESS = 'claims@lunch.example.org';

const env = demoTown('kith-claim-');

async function shoot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page, email) {
  await page.context().clearCookies();
  await page.goto(`${env.base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([signedIn(page), page.click('main button[type="submit"]')]);
}

// The newest email to an address, soft line breaks undone (links are hex).
async function mailTo(address) {
  const mailDir = join(env.dir, 'mail');
  for (let i = 0; i < 100; i++) {
    let files = [];
    try { files = readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort(); } catch { /* not yet */ }
    const mine = files.map((f) => readFileSync(join(mailDir, f), 'utf8'))
      .filter((m) => m.includes(`To: <${address}>`));
    if (mine.length) return mine.at(-1).replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    await sleep(100);
  }
  throw new Error(`no email to ${address} within 10 s`);
}

describe('organisations with nobody on kith', { timeout: 120_000 }, () => {
  test('a coordinator sends a claim link and someone claims the organisation', async () => {
    const page = await env.page();
    await signIn(page, COORDINATOR);
    await page.click('nav >> text=Organisations to bring on');
    assert.equal(await h1(page), 'Organisations to bring on');
    const first = page.locator('main ul.govuk-list > li').first();
    const name = (await first.locator('h2').innerText()).trim();
    assert.match(await first.innerText(), /Referrals waiting\s+(1 referral, on|\d+ referrals, the first on) \d+ \w+ \d{4}/);
    await checkAxe(page, '/organisations/to-bring-on');
    await shoot(page, 'bring-on-desktop');

    // Record an address (a wrong one first), then send the link to it.
    await first.locator('a', { hasText: /Change|Record an address/ }).click();
    assert.equal(await h1(page), `Email address for ${name}`);
    await page.fill('#email', 'not an address');
    await page.click('main button[type="submit"]');
    assert.match(await page.locator('.govuk-error-summary').innerText(), /right format/);
    await checkAxe(page, 'the email address form with an error');
    await page.fill('#email', ADDRESS);
    await Promise.all([page.waitForURL(/done=email-saved$/), page.click('main button[type="submit"]')]);
    const row = page.locator('main ul.govuk-list > li', { has: page.locator('h2', { hasText: name }) });
    await Promise.all([page.waitForURL(/done=sent$/), row.locator('button').click()]);
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /claim link is sent/);
    assert.match(await row.innerText(), /It still works/);

    const page2 = await env.page(PHONE);
    await page2.context().clearCookies();
    const link = (await mailTo(ADDRESS)).match(/http:\/\/127\.0\.0\.1:\d+\/claim\/[0-9a-f]{64}/)?.[0];
    assert.ok(link, 'the email has the claim link');
    await page2.goto(link);
    assert.equal(await h1(page2), `Claim ${name}`);
    await checkAxe(page2, '/claim/… (visitor, phone)');
    await noSidewaysScroll(page2, '/claim/… on a phone');
    await shoot(page2, 'claim-mobile');
    // No account yet: create one, and come back to claim.
    await page2.click('main a:has-text("Create an account")');
    await page2.fill('#name', 'Lena Lunch');
    await page2.fill('#email', 'lena.lunch@example.org');
    await page2.fill('#password', 'walnut-harbour-ribbon');
    await Promise.all([page2.waitForURL(link), page2.click('main button[type="submit"]')]);
    await checkAxe(page2, '/claim/… (signed in)');
    await page2.click(`main button:has-text("Claim ${name}")`);
    assert.equal(await h1(page2), `You are now the organiser for ${name}`);
    await checkAxe(page2, 'claimed');
    await page2.click('main a:has-text("See your referrals")');
    assert.match(new URL(page2.url()).pathname, /^\/referrals\/inbox/);

    // The link is used up.
    await page2.goto(link);
    assert.equal(await h1(page2), 'This link has expired or has already been used');
    await checkAxe(page2, 'a used claim link');
    await page2.close();

    // Off the list.
    await page.goto(`${env.base}/organisations/to-bring-on`);
    assert.equal(await page.locator('main h2', { hasText: name }).count(), 0);
    await page.close();
  });
});
