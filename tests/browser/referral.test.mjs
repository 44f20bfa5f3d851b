// referral.test.mjs - referrals in a real browser, on the demo town
// (`kith demo`: services, demo accounts and demo referrals). The whole
// loop with the keyboard alone (Tab, Space, arrows, typing and Enter; no
// clicks): the link worker signs in, finds a walk, refers someone with
// their consent; the organiser opens the inbox, accepts, records contact
// and attendance (each on its day, today unless changed) and finds it
// again under "Attended"; the link worker sees "Attended" in the caseload,
// keeps a case note with a next contact due today, searches the caseload
// by name and starts a referral choosing the service in the form. Axe
// finds nothing on any referral page (the form, with errors too, one
// referral as each party, the inbox, the caseload, "your referrals", the
// overview, "I'd like to go" and its confirmation), but for GOV.UK's
// aria-expanded on the contact ways (lib.mjs says why); the contact boxes
// show only the chosen way's with JavaScript (kith.js, under the real
// CSP), every one without it; nothing scrolls sideways on a phone; and
// screenshots for the docs
// (build/screenshots/referral-*-desktop.png and -mobile.png; `make
// screenshots` copies them to docs/screenshots).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  checkAxe, DEMO_PASSWORD, demoTown, follow, h1, noSidewaysScroll, SCREENSHOTS, signedIn, tabTo, tabToText, typeInto,
} from './lib.mjs';

const DEMO_ORG = '6f1d2c1e-3b7a-4c55-9a51-0d3f2b8e7a10';
const LINK_WORKER = 'linkworker@demo.kith.test';
const ORGANISER = 'organiser@demo.kith.test';
const COORDINATOR = 'coordinator@demo.kith.test';
const MEMBER = 'member@demo.kith.test';
const PERSON = 'Rosa Keyboard';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };

const env = demoTown('kith-referral-');


const main = (page) => page.locator('main').innerText();

// Axe on the page as it is, then desktop and phone screenshots of it
// (the phone one after checking nothing scrolls sideways).
async function checkAndShoot(page, name, what) {
  await checkAxe(page, what);
  if (!name) return;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS, `referral-${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await noSidewaysScroll(page, what);
  await page.screenshot({ path: join(SCREENSHOTS, `referral-${name}-mobile.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

// Signs in with the keyboard on the sign-in page (a fresh session).
async function signIn(page, email) {
  await page.context().clearCookies();
  await page.goto(`${env.base}/login`);
  await typeInto(page, '#email', email);
  await typeInto(page, '#password', DEMO_PASSWORD);
  await Promise.all([signedIn(page), page.keyboard.press('Enter')]);
}

let referralUrl;

describe('the closed loop, keyboard only', { timeout: 180_000 }, () => {
  test('a link worker refers someone to a walk', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, LINK_WORKER);

    // Find a walk of the demo organisation and open it.
    await page.goto(`${env.base}/organisations/${DEMO_ORG}`);
    await follow(page, 'main a[href^="/services/"]', /\/services\/[0-9a-f-]{36}$/);
    const service = await h1(page);
    await follow(page, 'main a[href^="/referrals/new?service="]', /\/referrals\/new\?service=/);
    assert.equal(await h1(page), 'Refer someone');
    assert.match(await main(page), new RegExp(service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await checkAndShoot(page, 'new', '/referrals/new');

    // Only the chosen way's box shows (GOV.UK's conditional reveal):
    // none before a way is chosen, then the phone box under "By phone".
    const visible = (id) => page.isVisible(`[id="${id}"]`);
    const started = () => page.waitForFunction(() => document.body.classList.contains('govuk-frontend-supported'));
    await started();
    assert.deepEqual([await visible('person.email'), await visible('person.phone'),
      await visible('person.address')], [false, false, false]);
    await tabTo(page, '[id="person.contact_by"]');            // "By email"...
    await page.keyboard.press('ArrowDown');                   // ...then "By phone", chosen
    assert.ok(await page.isChecked('[id="person.contact_by-phone"]'));
    assert.deepEqual([await visible('person.email'), await visible('person.phone'),
      await visible('person.address')], [false, true, false]);

    // Send it with most things missing: the summary, what was typed kept.
    await typeInto(page, '[id="person.phone"]', '07700 900555');
    await tabTo(page, '#referral-form button[type="submit"]');
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.waitForSelector('.govuk-error-summary');
    assert.match(await page.title(), /^Error: Refer someone/);
    assert.equal(await page.inputValue('[id="person.phone"]'), '07700 900555');
    assert.ok(await page.locator('.govuk-error-summary a[href="#person.name"]').count() === 1);
    assert.ok(await page.locator('.govuk-error-summary a[href="#consent.share"]').count() === 1);
    await checkAxe(page, '/referrals/new with errors');

    // Back with errors: still by phone, with its box and nothing else.
    await started();
    assert.ok(await page.isChecked('[id="person.contact_by-phone"]'));
    assert.deepEqual([await visible('person.email'), await visible('person.phone'),
      await visible('person.address')], [false, true, false]);

    // Put it right, with the keyboard.
    await typeInto(page, '[id="person.name"]', PERSON);
    await typeInto(page, '[id="person.access_needs"]', 'Uses a walking stick');
    await tabTo(page, '#needs');
    await page.keyboard.press('Space');
    await typeInto(page, '#reason', 'She would like to get out more and meet people.');
    await tabTo(page, '[id="consent.share"]');
    await page.keyboard.press('Space');
    await tabTo(page, '[id="consent.contact"]');
    await page.keyboard.press('Space');
    await tabTo(page, '[id="consent.outcome"]');
    await page.keyboard.press('Space');
    await tabTo(page, '[id="consent.method"]');
    await page.keyboard.press('Space');
    await tabTo(page, '#referral-form button[type="submit"]');
    await Promise.all([page.waitForURL(/\/referrals\/[0-9a-f-]{36}\?done=sent$/), page.keyboard.press('Enter')]);
    referralUrl = page.url().replace(/\?done=sent$/, '');
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /The referral is sent/);
    assert.match(await main(page), new RegExp(PERSON));
    assert.match(await main(page), /Sent/);
    await checkAxe(page, 'a referral, as the link worker who made it');
    await page.close();
  });

  test('the organiser accepts it, gets in touch, and records attendance', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, ORGANISER);
    await page.goto(`${env.base}/referrals/inbox`);
    assert.equal(await h1(page), 'Referrals to your organisation');
    assert.match(await main(page), /New referrals \(\d+\)/);
    await checkAndShoot(page, 'inbox', '/referrals/inbox');

    // Open the new one from the inbox.
    await tabToText(page, 'main a', PERSON);
    await Promise.all([page.waitForURL(referralUrl), page.keyboard.press('Enter')]);
    assert.match(await main(page), /Uses a walking stick/);
    await checkAxe(page, 'a referral, as the receiving organisation');
    for (const [button, done, words] of [
      ['Accept the referral', 'accepted', 'Accepted'],
      ['Record that we have contacted the person', 'contacted', 'Contacted'],
      ['Record that the person came along', 'attended', 'Attended'],
    ]) {
      await tabToText(page, 'main form button', button);
      await Promise.all([page.waitForURL(`${referralUrl}?done=${done}`), page.keyboard.press('Enter')]);
      assert.match(await page.locator('.govuk-notification-banner--success').innerText(),
        new RegExp(`The referral is now: ${words}`));
      // Recording contact asks when (today unless changed) and how.
      if (done === 'accepted') {
        assert.match(await main(page), /When did you get in touch\?/);
        await checkAndShoot(page, 'detail-record-contact', 'a referral, recording contact');
      }
    }
    await checkAndShoot(page, 'detail-organiser', 'a referral, attended, as the organisation');
    // Still in the inbox, under its status, until it is closed.
    await page.goto(`${env.base}/referrals/inbox`);
    await follow(page, 'main a[href="/referrals/inbox?status=attended"]', /status=attended$/);
    assert.ok(await page.locator(`main a:text-is("${PERSON}")`).count() === 1);
    await checkAxe(page, '/referrals/inbox?status=attended');
    await page.close();
  });

  test('the link worker sees "Attended" in the caseload', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, LINK_WORKER);
    await follow(page, 'nav a[href="/referrals/caseload"]', /\/referrals\/caseload$/);
    assert.equal(await h1(page), 'Your caseload');
    const item = page.locator('main li', { has: page.locator(`a:text-is("${PERSON}")`) }).first();
    assert.match(await item.innerText(), /Attended/);
    await checkAndShoot(page, 'caseload', '/referrals/caseload');
    await follow(page, 'main a[href="/referrals/caseload?status=attended"]', /status=attended$/);
    assert.ok(await page.locator(`main a:text-is("${PERSON}")`).count() === 1);
    await checkAxe(page, '/referrals/caseload?status=attended');
    await page.goto(referralUrl);
    assert.match(await main(page), /Attended/);
    assert.match(await main(page), /What has happened/);
    await checkAxe(page, 'a referral, attended, as the link worker');
    await page.close();
  });

  test('the link worker keeps a case note, plans the next contact and searches', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, LINK_WORKER);
    await page.goto(referralUrl);
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric',
    }).formatToParts(new Date()).map((p) => [p.type, p.value]));
    await typeInto(page, '#casework-note', 'Rang Rosa: she enjoyed it and will go again.');
    await typeInto(page, '#next_contact_on', parts.day);
    await typeInto(page, '#next_contact_on-month', parts.month);
    await typeInto(page, '#next_contact_on-year', parts.year);
    await tabTo(page, '#casework-form button[type="submit"]');
    await Promise.all([page.waitForURL(/\?done=notes#casework$/), page.keyboard.press('Enter')]);
    assert.match(await main(page), /she enjoyed it and will go again/);
    assert.match(await main(page), /Due/);
    await checkAxe(page, 'a referral with case notes, as the link worker');
    await page.goto(`${env.base}/referrals/caseload`);
    assert.match(await main(page), /Contact due/);
    await typeInto(page, '#q', 'rosa key');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(await main(page), /Referrals matching “rosa key”: 1/);
    assert.ok(await page.locator(`main a:text-is("${PERSON}")`).count() >= 1);
    await checkAxe(page, '/referrals/caseload searched');
    // A new referral from the caseload: the service is chosen in the form.
    await follow(page, 'main a[href="/referrals/new"]', /\/referrals\/new$/);
    await typeInto(page, '#target', 'walk');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.ok(await page.locator('main input[name="target.id"]').count() >= 1);
    await checkAxe(page, '/referrals/new choosing a service');
    await page.close();
  });
});

describe('the other referral pages', { timeout: 120_000 }, () => {
  test('"I\'d like to go", as a visitor', async () => {
    const page = await env.page(DESKTOP);
    await page.context().clearCookies();
    await page.goto(`${env.base}/organisations/${DEMO_ORG}`);
    // A service of theirs that is not run as a group: a group's turn-up
    // service says "Let them know you're coming" instead (groups.test.mjs).
    const hrefs = await page.locator('main a[href^="/services/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    let chosen = null;
    for (const href of hrefs) {
      const body = await (await page.request.get(`${env.base}${href}`)).text();
      if (body.includes('/refer-me"')) {
        chosen = href;
        break;
      }
    }
    assert.ok(chosen, 'a service of the demo organisation offers "I\'d like to go"');
    await follow(page, `main a[href="${chosen}"]`, new RegExp(`${chosen}$`));
    await follow(page, 'main a[href$="/refer-me"]', /\/refer-me$/);
    assert.equal(await h1(page), "I'd like to go");
    assert.match(await main(page), /You do not need an account/);
    await checkAndShoot(page, 'refer-me', 'I\'d like to go');
    await typeInto(page, '[id="person.name"]', 'Viv Visitor');
    await tabTo(page, '[id="person.contact_by"]');
    await page.keyboard.press('Space');                        // by email
    await typeInto(page, '[id="person.email"]', 'viv@example.net');
    await typeInto(page, '#reason', 'I would like to walk with other people.');
    await tabTo(page, '[id="consent.share"]');
    await page.keyboard.press('Space');
    await tabTo(page, '#referral-form button[type="submit"]');
    await Promise.all([page.waitForURL(/\/refer-me\?done=sent$/), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Your request is sent');
    await checkAndShoot(page, 'refer-me-sent', 'I\'d like to go: sent');
    await page.close();
  });

  test('a member\'s referrals', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, MEMBER);
    await follow(page, 'main a[href="/account/referrals"]', /\/account\/referrals$/);
    assert.equal(await h1(page), 'Your referrals');
    await checkAndShoot(page, 'mine', '/account/referrals');
    assert.ok(await page.locator('main ul a[href^="/referrals/"]').count() > 0,
      'the demo member has referrals');
    await follow(page, 'main ul a[href^="/referrals/"]', /\/referrals\/[0-9a-f-]{36}$/);
    assert.match(await main(page), /Who has looked at this referral/);
    await checkAxe(page, 'a referral, as the person');
    await page.close();
  });

  test('the overview, its period and its CSV', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, COORDINATOR);
    await follow(page, 'nav a[href="/referrals/overview"]', /\/referrals\/overview$/);
    assert.equal(await h1(page), 'Referrals overview');
    assert.match(await main(page), /Referrals sent/);
    await checkAndShoot(page, 'overview', '/referrals/overview');
    // A period that is not one: the message by the date.
    await typeInto(page, '#from', '31');
    await typeInto(page, '#from-month', '2');
    await typeInto(page, '#from-year', '2026');
    await Promise.all([page.waitForURL(/from-day=31/), page.keyboard.press('Enter')]);
    assert.match(await page.title(), /^Error: Referrals overview/);
    assert.ok(await page.locator('.govuk-error-summary a[href="#from"]').count() === 1);
    assert.equal(await page.inputValue('#from'), '31');
    await checkAxe(page, '/referrals/overview with a bad date');
    // The CSV, fetched with this session.
    const csv = await page.request.get(`${env.base}/referrals/overview.csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    const text = await csv.text();
    assert.match(text, /^id,sent_at,source/);
    assert.ok(!text.includes(PERSON), 'no names in the CSV');
    // Every organisation's inbox, for coordinators.
    await page.goto(`${env.base}/referrals/inbox`);
    assert.match(await main(page), /Every organisation/);
    await checkAxe(page, '/referrals/inbox (every organisation)');
    await page.close();
  });

  test('the form\'s one script runs under the real CSP, without errors', async () => {
    const page = await env.page({ ...DESKTOP, bypassCSP: false });
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.context().clearCookies();
    await page.goto(`${env.base}/organisations/${DEMO_ORG}`);
    const href = await page.locator('main a[href^="/services/"]').first().getAttribute('href');
    await page.goto(`${env.base}${href}/refer-me`);
    await page.waitForFunction(() => document.body.classList.contains('govuk-frontend-supported'));
    assert.equal(await page.locator('script').count(), 1);
    assert.match(await page.locator('script').getAttribute('src'), /^\/assets\/kith\.[0-9a-f]{12}\.js$/);
    assert.ok(!(await page.isVisible('[id="person.email"]')));
    await page.check('[id="person.contact_by"]');               // by email
    assert.ok(await page.isVisible('[id="person.email"]'));
    assert.ok(!(await page.isVisible('[id="person.phone"]')));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('every contact box shows with JavaScript off, and the form still sends', async () => {
    const page = await env.page({ ...DESKTOP, javaScriptEnabled: false });
    await page.context().clearCookies();
    await page.goto(`${env.base}/login`);
    await page.fill('#email', LINK_WORKER);
    await page.fill('#password', DEMO_PASSWORD);
    await Promise.all([signedIn(page), page.click('main button[type="submit"]')]);
    await page.goto(`${env.base}/organisations/${DEMO_ORG}`);
    await Promise.all([page.waitForURL(/\/services\/[0-9a-f-]{36}$/),
      page.locator('main a[href^="/services/"]').first().click()]);
    await Promise.all([page.waitForURL(/\/referrals\/new\?service=/),
      page.locator('main a[href^="/referrals/new?service="]').first().click()]);
    for (const id of ['person.email', 'person.phone', 'person.address']) {
      assert.ok(await page.isVisible(`[id="${id}"]`), `${id} shows without JavaScript`);
    }
    await page.fill('[id="person.name"]', 'Nell Noscript');
    await page.check('[id="person.contact_by-post"]');
    await page.fill('[id="person.address"]', '2 Park Road, Scunthorpe');
    await page.check('#needs');
    await page.check('[id="consent.share"]');
    await page.check('[id="consent.method"]');
    await Promise.all([page.waitForURL(/\/referrals\/[0-9a-f-]{36}\?done=sent$/),
      page.click('#referral-form button[type="submit"]')]);
    assert.match(await main(page), /2 Park Road, Scunthorpe/);
    await page.close();
  });

  test('works with JavaScript off on a phone', async () => {
    const page = await env.page({ ...PHONE, javaScriptEnabled: false });
    await page.context().clearCookies();
    await page.goto(`${env.base}/login`);
    await page.fill('#email', ORGANISER);
    await page.fill('#password', DEMO_PASSWORD);
    await Promise.all([signedIn(page), page.click('main button[type="submit"]')]);
    await page.goto(`${env.base}/referrals/inbox`);
    await noSidewaysScroll(page, '/referrals/inbox on a phone');
    // A new one: it can be declined.
    const link = page.locator('main h2#new + p + ul a[href^="/referrals/"]').first();
    await Promise.all([page.waitForURL(/\/referrals\/[0-9a-f-]{36}$/), link.click()]);
    await noSidewaysScroll(page, 'a referral on a phone');
    // The decline form opens without JavaScript (a <details>); without a
    // reason it comes back saying so, open, nothing changed.
    const decline = page.locator('details#move-declined');
    await decline.locator('summary').click();
    assert.equal(await decline.getAttribute('open'), '');
    await Promise.all([page.waitForLoadState('load'), decline.locator('button').click()]);
    assert.match(await page.title(), /^Error: Referral to /);
    assert.equal(await page.locator('.govuk-error-summary a[href="#reason-declined"]').count(), 1);
    assert.equal(await page.locator('details#move-declined').getAttribute('open'), '');
    assert.match(await main(page), /Sent/);
    await page.close();
  });
});
