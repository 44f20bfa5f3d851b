// groups.test.mjs - groups and their sessions in a real browser, on the
// demo town (`kith demo`: its first group, Ashby Strollers, meets every
// Monday 13:30 to 15:00; the demo member goes to every session, the peer
// supporter hosts it, and one session is cancelled). The referral loop
// closed by a register, with the keyboard alone (Tab, Space, arrows,
// typing and Enter; no clicks): Rowan registers (confirming the email
// address from the email); the link worker refers Rowan, by that address,
// from the group's service page ("Refer someone", with Rowan's consent);
// Rowan signs in, finds the referral (which links it to the account), goes
// to /groups, opens the group and today's session and presses "Let them
// know you're coming" (the walks are "just turn up"): "You're going".
// The host opens the session, takes the register, ticks Rowan and adds a
// walk-in; the link worker gets the email about it and sees "Attended",
// happened on the day of the session. Then the other pages: the list
// and a group as a visitor and as a member, a cancelled session, a
// paper register typed in later (a day still to come first: refused),
// the host's members page and "change a session" (a time that is not
// one), and the organiser's settings form (a capacity that is not a
// number). Axe finds nothing on any of them, nothing scrolls sideways
// on a phone, and screenshots for the docs
// (build/screenshots/groups-*-desktop.png and -mobile.png; `make
// screenshots` copies them to docs/screenshots).
//
// The clock. A register can be taken on the session's day or after it,
// and "I'm going" said up to its day: both on one day only when the
// server's day is one the group meets (the demo's schedules are weekly,
// from whatever day `kith demo` runs). So the server (and `kith demo`
// before it) runs on a clock that starts at Monday 1 March 2027, 09:30
// UK time, and runs on from there: KITH_BIN is pointed at a small
// wrapper that preloads libfaketime (Debian's faketime package, which
// scripts/install-deps.sh installs) with FAKETIME="@2027-03-01 09:30:00"
// and execs the real kith, so the server is the process lib.mjs starts
// and stops. Only kith's clock moves: Chromium, and this file, keep the
// real one (kith's session cookie has a Max-Age, not an Expires, so it
// does not care). A fixed day, rather than "the next Monday", makes the
// run the same every day and the screenshots the same every time, and
// needs no second server or clock change mid-run: Rowan says they are
// going at half past nine, the host takes the register the same day.
// The paper register uses the Monday before (22 February), past by then.
// With KITH_TEST_URL (a server already running) the clock cannot be set:
// this file needs its own server.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  checkAxe, DEMO_PASSWORD, devServer, follow, h1, noSidewaysScroll, ROOT, SCREENSHOTS, served, signedIn, tabTo,
  tabToText, typeInto,
} from './lib.mjs';

const DEMO_ORG = '6f1d2c1e-3b7a-4c55-9a51-0d3f2b8e7a10';
const LINK_WORKER = 'linkworker@demo.kith.test';
const ORGANISER = 'organiser@demo.kith.test';
const HOST = 'peer@demo.kith.test';
const MEMBER = 'member@demo.kith.test';
const ROWAN = { name: 'Rowan Hale', email: 'rowan.hale@example.org' };
const PASSWORD = 'purple kettle orbit 42';
const GROUP = 'Ashby Strollers';                 // the demo's first group: Mondays, 13:30 to 15:00
const TODAY = '2027-03-01';                      // the server's day: a Monday
const TODAY_WORDS = 'Monday 1 March 2027';
const TODAY_DATE = '1 March 2027';               // as a referral's history says it
const SESSION_WORDS = `${TODAY_WORDS}, 13:30 to 15:00`;
const LAST_WEEK = '2027-02-22';                  // the Monday before, for a paper register
const CANCELLED = '2027-03-22';                  // the demo cancels this one
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
const UUID = '[0-9a-f-]{36}';

// ---------------------------------------------------------------- the clock

const FAKE_CLOCK = {
  LD_PRELOAD: '/usr/$LIB/faketime/libfaketimeMT.so.1',   // ld.so expands $LIB
  FAKETIME: `@${TODAY} 09:30:00`,
  DONT_FAKE_MONOTONIC: '1',                               // waits and timings stay real
  TZ: 'UTC',                                              // UK time in March is UTC
};
{
  const r = spawnSync('date', ['+%F'], { encoding: 'utf8', env: { ...process.env, ...FAKE_CLOCK } });
  if (r.stdout.trim() !== TODAY) {
    throw new Error(`libfaketime does not set the clock (date said "${r.stdout.trim()}"; ` +
      `${r.stderr.trim()}): install faketime (scripts/install-deps.sh)`);
  }
}
const clockDir = mkdtempSync(join(tmpdir(), 'kith-groups-clock-'));
{
  const real = process.env.KITH_BIN || join(ROOT, 'build/kith');
  const sh = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = Object.entries(FAKE_CLOCK).map(([k, v]) => `${k}=${sh(v)}; export ${k}`);
  writeFileSync(join(clockDir, 'kith'), `#!/bin/sh\n${lines.join('\n')}\nexec ${sh(real)} "$@"\n`, { mode: 0o755 });
  process.env.KITH_BIN = join(clockDir, 'kith');
}
after(() => rmSync(clockDir, { recursive: true, force: true }));

// The demo town on a development server (its email as files in
// dir/mail) whose outbox is looked at every second, so no email waits.
const env = served({
  prefix: 'kith-groups-',
  prepare: (run) => run(['demo']),
  args: (base, dir) => [...devServer(base, dir), '--outbox-poll', '1'],
});

// ---------------------------------------------------------------- helpers

const main = (page) => page.locator('main').innerText();
const banner = (page) => page.locator('.govuk-notification-banner--success').innerText();
const path = (url) => new URL(url).pathname;

// Axe on the page as it is; then, on a phone, nothing scrolls sideways;
// with a name, desktop and phone screenshots too.
async function check(page, what, name) {
  await checkAxe(page, what);
  if (name) {
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: join(SCREENSHOTS, `groups-${name}-desktop.png`), fullPage: true });
  }
  await page.setViewportSize(PHONE);
  await noSidewaysScroll(page, what);
  if (name) await page.screenshot({ path: join(SCREENSHOTS, `groups-${name}-mobile.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

// Signs in with the keyboard on the sign-in page (a fresh session).
async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.context().clearCookies();
  await page.goto(`${env.base}/login`);
  await typeInto(page, '#email', email);
  await typeInto(page, '#password', password);
  await Promise.all([signedIn(page), page.keyboard.press('Enter')]);
}

// The same as lib.mjs's follow, for a link or button found by what it says.
async function followText(page, selector, text, url) {
  await tabToText(page, selector, text);
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

// Tab to a form's button and send it, expecting the page again with its
// errors (the summary, and "Error:" in the title).
async function sendExpectingErrors(page, selector, text) {
  await tabToText(page, selector, text);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.title(), /^Error: /);
}

// Tab to a box that has something in it already and type over it.
async function retype(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

// Tab to the checkbox labelled label and tick it (Space).
async function tickLabelled(page, label) {
  const id = await page.locator('main label.govuk-checkboxes__label', { hasText: label }).getAttribute('for');
  assert.ok(id, `a checkbox labelled ${label}`);
  await tabTo(page, `[id="${id}"]`);
  assert.ok(!(await page.isChecked(`[id="${id}"]`)), `${label} is not ticked yet`);
  await page.keyboard.press('Space');
  assert.ok(await page.isChecked(`[id="${id}"]`), `${label} is ticked`);
}

// Every email to an address so far, oldest first, soft line breaks undone.
function mailsTo(address) {
  let files = [];
  try { files = readdirSync(join(env.dir, 'mail')).filter((f) => f.endsWith('.eml')).sort(); } catch { /* none yet */ }
  return files.map((f) => readFileSync(join(env.dir, 'mail', f), 'utf8'))
    .filter((m) => m.includes(`To: <${address}>`))
    .map((m) => m.replace(/=\r?\n/g, '').replace(/=3D/g, '='));
}

// The newest email to address whose subject matches subject, waiting up
// to 10 s for it.
async function mailAbout(address, subject) {
  for (let i = 0; i < 100; i++) {
    const m = mailsTo(address).filter((t) => subject.test(t.match(/^Subject: (.*)$/m)?.[1] ?? ''));
    if (m.length) return m.at(-1);
    await sleep(100);
  }
  throw new Error(`no email about ${subject} to ${address} within 10 s`);
}

let groupUrl;              // /groups/{id}: the group's id is its service's
let sessionUrl;            // today's session
let referralUrl;

describe('the loop: referred, going, ticked in the register, attended', { timeout: 300_000 }, () => {
  test('Rowan registers and confirms the email address', async () => {
    const page = await env.page(DESKTOP);
    await page.context().clearCookies();
    await page.goto(`${env.base}/register`);
    await typeInto(page, '#name', ROWAN.name);
    await typeInto(page, '#email', ROWAN.email);
    await typeInto(page, '#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => !new URL(u).pathname.startsWith('/register')),
      page.keyboard.press('Enter')]);
    const mail = await mailAbout(ROWAN.email, /^Confirm your email address/);
    const link = mail.match(/http:\/\/127\.0\.0\.1:\d+\/verify-email\/[0-9a-f]{64}/)?.[0];
    assert.ok(link, 'the email has a confirmation link');
    await page.goto(link);
    await tabTo(page, 'main button');
    await Promise.all([page.waitForURL(/done=verified$/), page.keyboard.press('Enter')]);
    await page.close();
  });

  test('the link worker refers Rowan to the group, from its service page', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, LINK_WORKER);
    await page.goto(`${env.base}/organisations/${DEMO_ORG}`);
    await followText(page, 'main a', GROUP, new RegExp(`/services/${UUID}$`));
    const serviceId = new URL(page.url()).pathname.split('/')[2];
    groupUrl = `${env.base}/groups/${serviceId}`;
    assert.equal(await h1(page), GROUP);
    // A "just turn up" walk with a group: its next session, not a referral, for the public...
    const text = await main(page);
    assert.match(text, new RegExp(`You do not need to be referred: just turn up\\. Next time: ${SESSION_WORDS}\\.`));
    assert.equal(await page.locator('main a.govuk-button', { hasText: "Let them know you're coming" }).count(), 1);
    assert.equal(await page.locator('main a', { hasText: "I'd like to go" }).count(), 0);
    assert.equal(await page.locator(`main a[href="/groups/${serviceId}"]`).count(), 1, 'a link to the group');
    await check(page, 'a service with a group, as a link worker');

    // ...and "Refer someone" for the link worker.
    await follow(page, `main a[href="/referrals/new?service=${serviceId}"]`, /\/referrals\/new\?service=/);
    assert.equal(await h1(page), 'Refer someone');
    await typeInto(page, '[id="person.name"]', ROWAN.name);
    await tabTo(page, '[id="person.contact_by"]');            // "By email"
    await page.keyboard.press('Space');
    await typeInto(page, '[id="person.email"]', ROWAN.email);
    await tabTo(page, '#needs');
    await page.keyboard.press('Space');
    await typeInto(page, '#reason', 'Rowan would like to get out more and meet people, at an easy pace.');
    for (const consent of ['consent.share', 'consent.contact', 'consent.outcome', 'consent.method']) {
      await tabTo(page, `[id="${consent}"]`);
      await page.keyboard.press('Space');
    }
    await tabTo(page, '#referral-form button[type="submit"]');
    await Promise.all([page.waitForURL(new RegExp(`/referrals/${UUID}\\?done=sent$`)), page.keyboard.press('Enter')]);
    referralUrl = page.url().replace(/\?done=sent$/, '');
    assert.match(await banner(page), /The referral is sent/);
    assert.match(await main(page), /Sent/);
    await page.close();
  });

  test('Rowan finds the referral, then the group, and lets them know', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, ROWAN.email, PASSWORD);
    // "Your referrals" links the referral made for Rowan's address to
    // Rowan's account. (Only this page and confirming an address do: had
    // Rowan not come here, the register would list Rowan twice, as
    // referred and as going, and ticking the one going would leave the
    // referral as it was.)
    await follow(page, 'main a[href="/account/referrals"]', /\/account\/referrals$/);
    assert.match(await page.locator('main .govuk-notification-banner').innerText(), /We found a referral made for you/);
    assert.match(await main(page), new RegExp(GROUP));

    await follow(page, 'nav a[href="/groups"]', `${env.base}/groups`);
    assert.equal(await h1(page), 'Groups');
    await check(page, '/groups, signed in');
    await follow(page, `main a[href="${path(groupUrl)}"]`, groupUrl);
    assert.equal(await h1(page), GROUP);
    assert.match(await main(page), /You do not need to be referred: just turn up/);
    await check(page, 'a group, signed in, not a member');

    sessionUrl = `${groupUrl}/sessions/${TODAY}`;
    await follow(page, `main a[href="${path(sessionUrl)}"]`, sessionUrl);
    assert.equal(await h1(page), SESSION_WORDS);
    assert.equal(await page.locator('main form button').innerText(), "Let them know you're coming");
    await check(page, 'a session, before saying you are going', 'session');

    await followText(page, 'main form button', "Let them know you're coming", `${sessionUrl}?done=going_today`);
    assert.match(await banner(page), /You are going/);
    assert.match(await main(page), /You're going\./);
    assert.equal(await page.locator('main form button').innerText(), "I can't go now");
    await check(page, 'a session, going', 'going');

    // The group's page and the list say so too.
    await follow(page, 'main a.govuk-back-link', groupUrl);
    const today = page.locator('main li.kith-session', { has: page.locator(`a[href$="/sessions/${TODAY}"]`) });
    assert.match(await today.innerText(), /You're going/);
    await follow(page, 'nav a[href="/groups"]', `${env.base}/groups`);
    assert.match(await main(page), new RegExp(`Sessions you are going to\\s+${GROUP}\\s+${SESSION_WORDS}`));
    await page.close();
  });

  test('the host ticks Rowan in the register, with a walk-in', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, HOST);
    await follow(page, 'nav a[href="/groups"]', `${env.base}/groups`);
    assert.match(await main(page), /Your groups/);
    await follow(page, `main a[href="${path(groupUrl)}"]`, groupUrl);
    assert.match(await main(page), /Running the group/);
    await check(page, 'a group, as its host');
    await follow(page, `main a[href="${path(sessionUrl)}"]`, sessionUrl);
    const who = page.locator('main h3:text-is("Who is going") + ul');
    assert.match(await who.innerText(), new RegExp(ROWAN.name));
    await check(page, 'a session, as its host');

    await followText(page, 'main a', 'Take the register', `${sessionUrl}/register`);
    assert.equal(await h1(page), `Register for ${SESSION_WORDS}`);
    const rowanBox = page.locator('main .govuk-checkboxes__item', { hasText: ROWAN.name });
    assert.match(await rowanBox.innerText(), /Said they are going, referred/);
    await check(page, 'the register, to take');
    await tickLabelled(page, ROWAN.name);
    await typeInto(page, '#walk_ins', 'Jean from the library');
    await tabToText(page, 'main form button', 'Save the register');
    await Promise.all([page.waitForURL(`${sessionUrl}/register?done=saved`), page.keyboard.press('Enter')]);
    assert.match(await banner(page), /The register is saved: 2 people came\./);
    assert.ok(await page.isChecked(`main .govuk-checkboxes__item:has-text("${ROWAN.name}") input`), 'Rowan stays ticked');
    assert.equal(await page.inputValue('#walk_ins'), 'Jean from the library');
    await check(page, 'the register, saved', 'register');
    await page.close();
  });

  test('the link worker sees "Attended", on the day Rowan came', async () => {
    // The email says there is an update, and nothing about Rowan.
    const mail = await mailAbout(LINK_WORKER, /there is an update about a referral you made/);
    assert.ok(!mail.includes('Rowan') && !mail.includes('Hale') && !mail.includes(GROUP), 'no details in the email');
    const link = mail.match(new RegExp(`http://127\\.0\\.0\\.1:\\d+/referrals/${UUID}`))?.[0];
    assert.equal(link, referralUrl, 'the email links to the referral');

    const page = await env.page(DESKTOP);
    await signIn(page, LINK_WORKER);
    await page.goto(link);
    assert.equal(await h1(page), GROUP);
    assert.equal((await page.locator('main .govuk-tag').first().innerText()).trim(), 'Attended');
    const attended = page.locator('main li', { has: page.locator('strong:text-is("Attended")') });
    assert.equal(await attended.count(), 1);
    assert.match(await attended.innerText(), new RegExp(`Happened on ${TODAY_DATE}: In person`));
    assert.equal(await attended.locator(`time[datetime="${TODAY}"]`).count(), 1);
    assert.match(await attended.innerText(), /Ticked as there in the group's register/);
    await check(page, 'a referral attended through the register, as the link worker');
    await page.close();
  });
});

describe('the other groups pages', { timeout: 180_000 }, () => {
  test('the list and a group as a visitor', async () => {
    const page = await env.page(DESKTOP);
    await page.context().clearCookies();
    await page.goto(`${env.base}/groups`);
    assert.equal(await h1(page), 'Groups');
    assert.match(await main(page), new RegExp(`All groups\\s+${GROUP}`));
    await check(page, '/groups as a visitor', 'list');
    await follow(page, `main a[href="${path(groupUrl)}"]`, groupUrl);
    const text = await main(page);
    assert.match(text, /Every Monday, 13:30 to 15:00/);
    assert.match(text, /Sign in to say you are going or to join the group/);
    assert.doesNotMatch(text, /Messages from the hosts|For members/);
    await check(page, 'a group, as a visitor');
    await follow(page, `main a[href="${path(sessionUrl)}"]`, sessionUrl);
    assert.match(await main(page), /Sign in to say you are going, or just turn up\./);
    await check(page, 'a session, as a visitor');
    await page.close();
  });

  test('a group and a cancelled session, as a member', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, MEMBER);
    await follow(page, 'nav a[href="/groups"]', `${env.base}/groups`);
    await follow(page, `main a[href="${path(groupUrl)}"]`, groupUrl);
    const text = await main(page);
    assert.match(text, /You are going to every session\./);
    assert.match(text, /Messages from the hosts/);
    assert.match(text, /You are a member of this group\./);
    await check(page, 'a group, as a member', 'group');
    await follow(page, `main a[href$="/sessions/${CANCELLED}"]`, `${groupUrl}/sessions/${CANCELLED}`);
    assert.match(await main(page), /This session is cancelled\. The hall is closed for repairs that day\./);
    assert.equal(await page.locator('main form button').count(), 0, 'nothing to press for a cancelled session');
    await check(page, 'a cancelled session, as a member');
    await page.close();
  });

  test('a paper register typed in later: a day still to come is refused', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, HOST);
    await page.goto(`${groupUrl}/sessions/${LAST_WEEK}`);
    await followText(page, 'main a', 'Take the register', `${groupUrl}/sessions/${LAST_WEEK}/register`);
    assert.match(await main(page), /Typing in a paper register/);
    assert.equal(await page.inputValue('#held_on'), '22', 'the session\'s day to start with');
    await check(page, 'a paper register');
    // The day after the server's today.
    await retype(page, '#held_on', '2');
    await retype(page, '#held_on-month', '3');
    await typeInto(page, '#walk_ins', 'Jean from the library');
    await sendExpectingErrors(page, 'main form button', 'Save the register');
    assert.equal(await page.locator('.govuk-error-summary a[href="#held_on"]').count(), 1);
    assert.match(await page.locator('.govuk-error-summary').innerText(), /must be today or in the past/);
    assert.equal(await page.inputValue('#walk_ins'), 'Jean from the library', 'what was typed is kept');
    await check(page, 'a paper register with a day still to come');
    // Put right: the Monday it was held.
    await retype(page, '#held_on', '22');
    await retype(page, '#held_on-month', '2');
    await tabToText(page, 'main form button', 'Save the register');
    await Promise.all([page.waitForURL(`${groupUrl}/sessions/${LAST_WEEK}/register?done=saved`),
      page.keyboard.press('Enter')]);
    assert.match(await banner(page), /The register is saved: 1 person came\./);
    assert.match(await main(page), /typed in from a paper register: 1 person came on 22 February 2027\./);
    await page.close();
  });

  test('the host\'s members page, and changing a session (a time that is not one)', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, HOST);
    await page.goto(groupUrl);
    await followText(page, 'main a', 'Members and hosts', `${groupUrl}/members`);
    assert.equal(await h1(page), 'Members and hosts');
    await check(page, 'the members page, as a host');
    await page.goto(`${groupUrl}/sessions/${TODAY}`);
    await followText(page, 'main a', 'Change the time, date or place', `${sessionUrl}/change`);
    assert.equal(await h1(page), 'Change a session');
    await check(page, 'changing a session');
    await retype(page, '#opens', 'half one');
    await sendExpectingErrors(page, 'main form button', 'Change the session');
    assert.equal(await page.locator('.govuk-error-summary a[href="#opens"]').count(), 1);
    await check(page, 'changing a session, with an error');
    await page.close();
  });

  test('the organiser\'s settings for the group, with errors', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, ORGANISER);
    await page.goto(groupUrl);
    await followText(page, 'main a', 'Change what the group says, its capacity and emails', `${groupUrl}/settings`);
    assert.equal(await h1(page), 'Change the group');
    await check(page, 'the group\'s settings');
    await retype(page, '#capacity', 'lots');
    await sendExpectingErrors(page, 'main form button', 'Save the group');
    assert.equal(await page.locator('.govuk-error-summary a[href="#capacity"]').count(), 1);
    assert.equal(await page.inputValue('#capacity'), 'lots', 'what was typed is kept');
    await check(page, 'the group\'s settings, with errors');
    await retype(page, '#capacity', '20');
    await tabToText(page, 'main form button', 'Save the group');
    await Promise.all([page.waitForURL(`${groupUrl}?done=saved`), page.keyboard.press('Enter')]);
    assert.match(await banner(page), /The group is saved\./);
    await page.close();
  });
});
