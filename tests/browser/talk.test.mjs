// talk.test.mjs - Conversations in a real browser, on the demo town
// (`kith demo`: the spaces "Living with COPD", "Living with diabetes",
// "Carers' corner", "Tea and chat" and the first group's; the demo member
// talks as Maggie, the peer supporter as David E, who moderates the COPD
// space, and the coordinator as Joan B, on duty; one gentle report waits in
// the queue, in "Tea and chat"). With the keyboard alone (Tab, Space,
// arrows, typing and Enter; no clicks):
//
// - Maggie opens Conversations from the navigation, then "Living with
//   COPD", and starts a topic (sent empty first: the error summary).
// - Bev registers (confirming the email address from the email), is asked
//   for a display name before writing and chooses one (an email address
//   first: refused), opens Maggie's topic, presses "Me too" on its opening
//   post and replies. Bev moderates nothing.
// - Maggie sees "1 person said “me too” to your post." under her post, and
//   reports Bev's reply ("Health advice that could be unsafe", with a note;
//   sent with no reason first: the error summary).
// - David, the COPD space's peer moderator, opens "Posts to look at" from
//   Conversations, then the post, and hides it with a note (asked for the
//   note first). Maggie no longer sees it.
// - Bev is told: "New messages from the moderators: 1" on Conversations,
//   the note on /talk/notices, and "A moderator hid this post" with the
//   note on the topic.
// - A crisis post: Maggie replies "Some days I don't want to be here any
//   more." The page she lands on opens at its top with where to get help
//   now (Samaritans 116 123, NHS 111 option 2, Shout 85258, 999), in view
//   without scrolling and first to the keyboard; the post is published
//   and links up to the help (one panel, not two); later the panel sits
//   beside the post, for her alone. The coordinator's queue has it first,
//   marked urgent in words, above the demo's older report; the post's page
//   says its writer was shown where to get help, and the report is urgent;
//   the moderators on duty are emailed (the talk job looks every minute),
//   and the email has nothing of the post.
//
// Axe finds nothing on every page visited; nothing scrolls sideways on a
// phone; screenshots for the docs (build/screenshots/talk-*-desktop.png
// and -mobile.png; `make screenshots` copies them to docs/screenshots).
//
// No fixed clock: the demo's posts are dated back from whenever `kith
// demo` runs, the whole run takes a minute or two (well inside the
// 30-minute edit window and a new account's five posts a day), and
// nothing here depends on the day of the week.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  checkAxe, DEMO_PASSWORD, devServer, follow, h1, noSidewaysScroll, SCREENSHOTS, served, signedIn, tabTo,
  tabToText, typeInto,
} from './lib.mjs';

const MEMBER = 'member@demo.kith.test';            // Maggie
const PEER_MODERATOR = 'peer@demo.kith.test';      // David E, moderates "Living with COPD"
const COORDINATOR = 'coordinator@demo.kith.test';  // Joan B, on duty
const BEV = { name: 'Bev Ashworth', email: 'bev.ashworth@example.org', display: 'Bev A' };
const PASSWORD = 'purple kettle orbit 42';
const SPACE = { slug: 'living-with-copd', name: 'Living with COPD' };
const TOPIC = {
  title: 'Getting out when it is cold',
  body: 'The cold air catches my chest as soon as I open the door.\n\nWhat do you all do to keep getting out in the winter?',
};
const REPLY = 'Me too, the cold is the worst. A scarf over my mouth helps. ' +
  'My cousin swears by a herbal tea instead of her inhalers, she stopped them last month and feels fine.';
const REPORT_NOTE = 'Stopping inhalers could be dangerous for someone new to COPD.';
const HIDE_NOTE = 'Please do not suggest stopping inhalers: it could make someone very ill. ' +
  'Talk to your nurse before changing any medicine.';
const CRISIS = "Thank you all. Some days I don't want to be here any more.";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };

// The demo town, on a development server (its email as files in
// dir/mail) whose outbox is looked at every second, so no email waits.
const env = served({
  prefix: 'kith-talk-',
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
    await page.screenshot({ path: join(SCREENSHOTS, `talk-${name}-desktop.png`), fullPage: true });
  }
  await page.setViewportSize(PHONE);
  await noSidewaysScroll(page, what);
  if (name) await page.screenshot({ path: join(SCREENSHOTS, `talk-${name}-mobile.png`), fullPage: true });
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
async function mailAbout(address, subject, wait = 10_000) {
  for (let i = 0; i < wait / 100; i++) {
    const m = mailsTo(address).filter((t) => subject.test(t.match(/^Subject: (.*)$/m)?.[1] ?? ''));
    if (m.length) return m.at(-1);
    await sleep(100);
  }
  throw new Error(`no email about ${subject} to ${address} within ${wait / 1000} s`);
}

// The post (an <article>) whose words include text.
const article = (page, text) => page.locator('main article', { hasText: text });

// Is the element's top inside the window, as the page first shows?
async function inView(locator) {
  const box = await locator.boundingBox();
  const height = await locator.page().evaluate(() => window.innerHeight);
  return box !== null && box.y >= 0 && box.y < height;
}

let topicUrl;            // Maggie's topic
let openingId;           // its opening post
let replyId;             // Bev's reply, reported and hidden
let crisisId;            // Maggie's crisis post

describe('a topic, a reply, "me too", a report, hidden by a moderator', { timeout: 300_000 }, () => {
  test('Maggie opens Conversations and starts a topic in a space', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, MEMBER);
    await follow(page, 'nav a[href="/talk"]', `${env.base}/talk`);
    assert.equal(await h1(page), 'Conversations');
    assert.match(await main(page), /Other people see you as Maggie\./);
    await check(page, '/talk, as the member', 'index');

    await follow(page, `main a[href="/talk/spaces/${SPACE.slug}"]`, `${env.base}/talk/spaces/${SPACE.slug}`);
    assert.equal(await h1(page), SPACE.name);
    await check(page, 'a space, as the member', 'space');

    await followText(page, 'main a', 'Start a topic', `${env.base}/talk/spaces/${SPACE.slug}/topics`);
    assert.equal(await h1(page), 'Start a topic');
    await check(page, 'starting a topic');
    await sendExpectingErrors(page, 'main form button', 'Post your topic');
    assert.equal(await page.locator('.govuk-error-summary a[href="#title"]').count(), 1);
    assert.equal(await page.locator('.govuk-error-summary a[href="#body"]').count(), 1);
    await check(page, 'starting a topic, with errors', 'new-topic-errors');

    await typeInto(page, '#title', TOPIC.title);
    await typeInto(page, '#body', TOPIC.body);
    await tabToText(page, 'main form button', 'Post your topic');
    await Promise.all([page.waitForURL(/\/talk\/topics\/\d+\?posted=\d+/), page.keyboard.press('Enter')]);
    topicUrl = `${env.base}${path(page.url())}`;
    openingId = new URL(page.url()).searchParams.get('posted');
    assert.equal(await h1(page), TOPIC.title);
    assert.match(await banner(page), /Your post is published\./);
    const mine = article(page, 'The cold air catches my chest');
    assert.match(await mine.locator('h2').innerText(), /^Maggie \(you\)$/);
    assert.equal(await mine.locator('button').count(), 0, 'no "Me too" for your own post');
    await check(page, 'a new topic, as its writer');
    await page.close();
  });

  test('Bev registers, chooses a display name, says "Me too" and replies', async () => {
    const page = await env.page(DESKTOP);
    await page.context().clearCookies();
    await page.goto(`${env.base}/register`);
    await typeInto(page, '#name', BEV.name);
    await typeInto(page, '#email', BEV.email);
    await typeInto(page, '#password', PASSWORD);
    await Promise.all([page.waitForURL((u) => !new URL(u).pathname.startsWith('/register')),
      page.keyboard.press('Enter')]);
    const mail = await mailAbout(BEV.email, /^Confirm your email address/);
    const link = mail.match(/http:\/\/127\.0\.0\.1:\d+\/verify-email\/[0-9a-f]{64}/)?.[0];
    assert.ok(link, 'the email has a confirmation link');
    await page.goto(link);
    await tabTo(page, 'main button');
    await Promise.all([page.waitForURL(/done=verified$/), page.keyboard.press('Enter')]);

    // No display name yet: Conversations asks for one before anything.
    await follow(page, 'nav a[href="/talk"]', `${env.base}/talk`);
    assert.match(await main(page), /Before you write, choose the name other people will see\./);
    await check(page, '/talk, with no display name yet');
    await followText(page, 'main a', 'Choose a display name', `${env.base}/talk/profile`);
    assert.equal(await h1(page), 'Your name in conversations');
    await check(page, 'the display name form', 'profile');
    await typeInto(page, '#display_name', BEV.email);
    await sendExpectingErrors(page, 'main form button', 'Save');
    assert.equal(await page.locator('.govuk-error-summary a[href="#display_name"]').count(), 1);
    assert.match(await page.locator('.govuk-error-summary').innerText(), /cannot be an email address/);
    await check(page, 'the display name form, with an email address', 'profile-errors');
    await tabTo(page, '#display_name');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(BEV.display);
    await tabTo(page, '#notify-daily');                 // "Once a day" is chosen for a new profile
    await tabToText(page, 'main form button', 'Save');
    await Promise.all([page.waitForURL(`${env.base}/talk?done=profile`), page.keyboard.press('Enter')]);
    assert.match(await banner(page), /Your conversations settings are saved\./);
    assert.match(await main(page), new RegExp(`Other people see you as ${BEV.display}\\.`));

    // The space, the topic, "Me too" on its opening post.
    await follow(page, `main a[href="/talk/spaces/${SPACE.slug}"]`, `${env.base}/talk/spaces/${SPACE.slug}`);
    await follow(page, `main a[href="${path(topicUrl)}"]`, topicUrl);
    assert.equal(await h1(page), TOPIC.title);
    await check(page, 'a topic, as someone else');
    // (The button says "Me too", and to a screen reader "Me too (to Maggie)".)
    const metoo = `#post-${openingId} form:has(input[name="kind"][value="metoo"]) button`;
    assert.equal((await page.locator(metoo).textContent()).trim(), 'Me too (to Maggie)');
    await tabTo(page, metoo);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(path(page.url()), path(topicUrl));
    const opening = article(page, 'The cold air catches my chest');
    const pressed = opening.locator('button[aria-pressed="true"]');
    assert.equal(await pressed.count(), 1, 'the button says it is pressed');
    assert.match(await pressed.innerText(), /You said “Me too”/);

    // A reply, kind, with one bit of unsafe advice in it.
    await typeInto(page, '#body', REPLY);
    await tabToText(page, 'main form button', 'Post your reply');
    await Promise.all([page.waitForURL(/\/talk\/topics\/\d+\?posted=\d+/), page.keyboard.press('Enter')]);
    replyId = new URL(page.url()).searchParams.get('posted');
    assert.match(await banner(page), /Your post is published\./);
    assert.match(await article(page, 'herbal tea').locator('h2').innerText(), new RegExp(`^${BEV.display} \\(you\\)$`));
    await check(page, 'a topic, after replying');
    await page.close();
  });

  test('Maggie sees the count, and reports the reply with a reason', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, MEMBER);
    await follow(page, 'nav a[href="/talk"]', `${env.base}/talk`);
    await follow(page, `main a[href="/talk/spaces/${SPACE.slug}"]`, `${env.base}/talk/spaces/${SPACE.slug}`);
    await follow(page, `main a[href="${path(topicUrl)}"]`, topicUrl);
    const opening = article(page, 'The cold air catches my chest');
    assert.match(await opening.innerText(), /1 person said “me too” to your post\./);
    assert.match(await article(page, 'herbal tea').locator('h2').innerText(), new RegExp(`^${BEV.display}$`));

    const report = `main a[href="/talk/posts/${replyId}/flag"]`;
    assert.equal((await page.locator(report).textContent()).trim(), `Report ${BEV.display}'s post to a moderator`);
    await follow(page, report, `${env.base}/talk/posts/${replyId}/flag`);
    assert.equal(await h1(page), 'Report a post');
    assert.match(await main(page), /herbal tea/);
    await check(page, 'the report form', 'flag');
    await sendExpectingErrors(page, 'main form button', 'Send the report');
    assert.equal(await page.locator('.govuk-error-summary a[href="#reason"]').count(), 1);
    await check(page, 'the report form, with no reason', 'flag-errors');

    // Into the radios (the first, "Someone may be at risk"), then down two.
    await tabTo(page, '#reason');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.ok(await page.isChecked('#reason-unsafe_advice'), '"Health advice that could be unsafe" is chosen');
    await typeInto(page, '#note', REPORT_NOTE);
    await tabToText(page, 'main form button', 'Send the report');
    await Promise.all([page.waitForURL((u) => path(u.href) === path(topicUrl) && u.searchParams.get('done') === 'flagged'),
      page.keyboard.press('Enter')]);
    assert.match(await banner(page), /Thank you for telling us\. A moderator will look at the post\./);
    await check(page, 'a topic, after reporting a post');
    await page.close();
  });

  test('David, the space\'s peer moderator, hides the reply with a note', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, PEER_MODERATOR);
    await follow(page, 'nav a[href="/talk"]', `${env.base}/talk`);
    await followText(page, 'main a', 'Posts to look at', `${env.base}/talk/moderate`);
    assert.equal(await h1(page), 'Posts to look at');
    const items = page.locator('main ul.govuk-list > li:has(a[href^="/talk/moderate/posts/"])');
    assert.equal(await items.count(), 1, 'David sees only his space\'s report');
    const item = await items.first().innerText();
    assert.match(item, new RegExp(TOPIC.title));
    assert.match(item, new RegExp(`In ${SPACE.name}\\. Reports: 1\\. First reported .*\\. Why: Health advice that could be unsafe\\.`));
    assert.doesNotMatch(item, /Urgent/);
    await check(page, 'the queue, as a peer moderator');

    await follow(page, `main a[href="/talk/moderate/posts/${replyId}"]`, `${env.base}/talk/moderate/posts/${replyId}`);
    assert.equal(await h1(page), 'A post to look at');
    const text = await main(page);
    assert.match(text, new RegExp(`By ${BEV.display}`));
    assert.match(text, /herbal tea/);
    assert.match(text, new RegExp(`Health advice that could be unsafe, from Maggie.*\\n?“${REPORT_NOTE}”`));
    assert.match(text, /Trusted\s+No: a new account/);
    assert.doesNotMatch(text, new RegExp(BEV.name), 'who wrote it only on asking');
    await check(page, 'a post to look at', 'mod-post');

    // "Hide" with no note: asked for one.
    await tabTo(page, '#action');
    await page.keyboard.press('Space');
    assert.ok(await page.isChecked('#action'), '"Hide the post" is chosen');
    await sendExpectingErrors(page, 'main form button', 'Do it');
    assert.equal(await page.locator('.govuk-error-summary a[href="#note"]').count(), 1);
    assert.ok(await page.isChecked('#action'), 'what was chosen is kept');
    await check(page, 'a post to look at, hidden with no note');

    await typeInto(page, '#note', HIDE_NOTE);
    await tabToText(page, 'main form button', 'Do it');
    await Promise.all([page.waitForURL(new RegExp(`/talk/moderate/posts/${replyId}\\?done=`)), page.keyboard.press('Enter')]);
    assert.match(await banner(page), /The post is hidden\. The writer has been told why\./);
    assert.match(await main(page), /Hidden\s+Only moderators can see it\./);
    await check(page, 'a post, just hidden');

    await follow(page, 'main a.govuk-back-link', `${env.base}/talk/moderate`);
    assert.match(await main(page), /There is nothing to look at\. Thank you\./);
    await page.close();
  });

  test('Maggie no longer sees the hidden reply', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, MEMBER);
    await page.goto(topicUrl);
    assert.doesNotMatch(await main(page), /herbal tea/);
    await page.close();
  });

  test('Bev is told, on Conversations, the notices page and the topic', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, BEV.email, PASSWORD);
    await follow(page, 'nav a[href="/talk"]', `${env.base}/talk`);
    await followText(page, 'main a', 'New messages from the moderators: 1', `${env.base}/talk/notices`);
    assert.equal(await h1(page), 'Messages from the moderators');
    const notice = page.locator('main ul.govuk-list > li').first();
    const words = await notice.innerText();
    assert.match(words, /New/);
    assert.match(words, /A moderator hid your post in Living with COPD, so other people cannot read it now\./);
    assert.ok(words.includes(HIDE_NOTE), `the moderator's note is in the notice: ${words}`);
    await check(page, 'the notices page', 'notices');

    await followText(page, 'main a', 'See the post', (u) => path(u.href) === path(topicUrl));
    assert.equal(new URL(page.url()).hash, `#post-${replyId}`, 'the link goes to the post');
    const hidden = page.locator(`main article#post-${replyId}`);
    const said = await hidden.innerText();
    assert.match(said, new RegExp(`^${BEV.display} \\(you\\)`));
    assert.match(said, /Hidden/);
    assert.match(said, /A moderator hid this post\. Other people cannot see it\./);
    assert.ok(said.includes(`What they said: ${HIDE_NOTE}`), 'the note is on the post');
    assert.equal(await hidden.locator('a, button').count(), 0, 'nothing to do to a hidden post');
    await check(page, 'a topic with the writer\'s hidden post');
    await page.close();
  });

  test('the email about it says there is a notice, and nothing of the post or the note', async () => {
    const mail = await mailAbout(BEV.email, /a moderator has left you a notice$/);
    assert.match(mail, new RegExp(`http://127\\.0\\.0\\.1:\\d+/talk/notices`), 'it links to the notices');
    for (const words of ['herbal', 'inhalers', 'nurse', TOPIC.title, SPACE.name]) {
      assert.ok(!mail.includes(words), `"${words}" is not in the email`);
    }
  });
});

describe('a crisis post', { timeout: 180_000 }, () => {
  test('the writer is shown where to get help at once, and the post is published', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, MEMBER);
    await page.goto(topicUrl);
    await typeInto(page, '#body', CRISIS);
    await tabToText(page, 'main form button', 'Post your reply');
    await Promise.all([page.waitForURL(/\/talk\/topics\/\d+\?posted=\d+/), page.keyboard.press('Enter')]);
    crisisId = new URL(page.url()).searchParams.get('posted');

    // The page opens at its top, with where to get help now: in view, the
    // first thing in the page's content, before the topic and the post.
    assert.equal(new URL(page.url()).hash, '', 'the page opens at its top, not at the post');
    const help = page.locator('main .govuk-notification-banner[aria-labelledby="help-top"]');
    assert.equal(await help.count(), 1, 'the help panel at the top');
    assert.ok(await inView(help), 'the help panel shows without scrolling');
    const words = await help.innerText();
    assert.match(words, /If you need help now/);
    assert.match(words, /Your post has been published\./);
    assert.match(words, /Samaritans: call 116 123/);
    assert.match(words, /NHS 111: call 111 and choose option 2/);
    assert.match(words, /text SHOUT to 85258/);
    assert.match(words, /call 999/);
    for (const href of ['tel:116123', 'tel:111', 'sms:85258', 'tel:999']) {
      assert.equal(await help.locator(`a[href="${href}"]`).count(), 1, `a link to ${href}`);
    }
    // The post is published, and points up to the help (not a second panel).
    const post = page.locator(`main article#post-${crisisId}`);
    assert.match(await post.innerText(), /don't want to be here any more/, 'the post is published');
    assert.doesNotMatch(await post.innerText(), /Waiting for a moderator/);
    assert.equal(await page.locator('main .govuk-notification-banner').count(), 1, 'one help panel');
    assert.equal(await post.locator('a[href="#help-top"]').count(), 1, 'the post links up to the help');
    await check(page, 'a topic, just after a crisis post, as its writer', 'topic');
    // The first links after the page's own are the help's: Samaritans first.
    await tabTo(page, 'main a[href="tel:116123"]', 20);

    // Later, the help is beside the post, for its writer only.
    await page.goto(topicUrl);
    assert.match(await page.locator(`main article#post-${crisisId} .govuk-notification-banner`).innerText(),
      /If you need help now[\s\S]*116 123/);
    await check(page, 'a topic with a crisis post, as its writer, later');
    await page.close();
  });

  test('nobody else is shown the help', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, BEV.email, PASSWORD);
    await page.goto(topicUrl);
    const post = page.locator(`main article#post-${crisisId}`);
    assert.match(await post.innerText(), /don't want to be here any more/);
    assert.equal(await page.locator('main .govuk-notification-banner').count(), 0);
    await page.close();
  });

  test('the coordinator on duty finds it first in the queue, marked urgent', async () => {
    const page = await env.page(DESKTOP);
    await signIn(page, COORDINATOR);
    await follow(page, 'nav a[href="/talk"]', `${env.base}/talk`);
    await followText(page, 'main a', 'Posts to look at', `${env.base}/talk/moderate`);
    assert.match(await page.locator('main .govuk-warning-text').first().innerText(),
      /Urgent posts where someone may be at risk: 1\. Look at these first\./);
    assert.match(await main(page), /You are on duty/);
    const items = page.locator('main ul.govuk-list > li:has(a[href^="/talk/moderate/posts/"])');
    assert.equal(await items.count(), 2, 'the crisis post and the demo\'s report');
    const first = await items.nth(0).innerText();
    assert.match(first, /^!?\s*Urgent: someone may be at risk\n/);
    assert.match(first, new RegExp(TOPIC.title));
    assert.match(first, /Someone may be at risk/);
    assert.doesNotMatch(await items.nth(1).innerText(), /Urgent/);
    assert.match(await items.nth(1).innerText(), /What does pacing look like for you\?/);
    await check(page, 'the queue, with a crisis post', 'queue');

    await follow(page, `main a[href="/talk/moderate/posts/${crisisId}"]`, `${env.base}/talk/moderate/posts/${crisisId}`);
    const text = await main(page);
    assert.match(text, /By Maggie/);
    assert.match(text, /At risk\s+Its words read as someone who may be at risk, so its writer was shown where to get help now\./);
    assert.match(text, /Reports\s+Urgent\s+Someone may be at risk, from /);
    await check(page, 'a crisis post, as a moderator', 'mod-post-crisis');
    await page.close();
  });

  test('the moderators on duty are emailed, with nothing of the post', async () => {
    // The talk job looks every minute: "within a minute".
    const mail = await mailAbout(COORDINATOR, /an urgent flag is waiting for a moderator$/, 70_000);
    assert.match(mail, /http:\/\/127\.0\.0\.1:\d+\/talk\/moderate/, 'it links to the queue');
    for (const words of ['be here', 'Maggie', TOPIC.title, SPACE.name]) {
      assert.ok(!mail.includes(words), `"${words}" is not in the email`);
    }
  });
});
