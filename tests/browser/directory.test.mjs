// directory.test.mjs - the community directory in a real browser, on the
// demo town (`kith demo`: about 300 services in Scunthorpe, and demo
// accounts): a person on a phone-sized screen searches by postcode with
// the keyboard alone and opens a result; axe finds nothing on the find,
// service, organisation, manage, form-with-errors and review pages;
// nothing scrolls sideways on a 320px phone; /find works with JavaScript
// off; on a phone the results come before the filters, which open from a
// "Filter results" button and fold again after "Apply"; on a wide screen
// the filters are open beside the results; a town works in the postcode
// box; and screenshots (build/screenshots/find-*.png, service-*.png,
// manage-*.png; `make screenshots` copies them to docs/screenshots).
//
// What the demo town must show (src/directory/demo.c makes the same
// services on every run): about 300 services within 15 miles of DN15 6 or
// DN16 2, health walks among them (Bottesford Health Walk is the nearest
// to DN16 2 that says "walk"), and most but not all of them free.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  checkAxe, DEMO_PASSWORD, demoTown, h1, noSidewaysScroll, SCREENSHOTS, tabTo,
  signedIn,
} from './lib.mjs';

const ORGANISER = 'organiser@demo.kith.test';
const COORDINATOR = 'coordinator@demo.kith.test';
const PHONE = { width: 375, height: 740 };
const BIG_PHONE = { width: 390, height: 844 };

const env = demoTown('kith-directory-');


// "229 results within ..." -> 229.
const resultCount = (heading) => parseInt(heading, 10);
// Text as a screen reader says it (visually hidden words included).
const spoken = (text) => text.replace(/\s+/g, ' ').trim();

async function shoot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// Tab presses from the top of the page until the focus matches selector
// (at most max): how far away it is for a keyboard.
async function tabsTo(page, selector, max = 60) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i;
  }
  return Infinity;
}

async function signIn(page, email) {
  // Pages share a browser context: start signed out.
  await page.context().clearCookies();
  await page.goto(`${env.base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([signedIn(page), page.click('main button[type="submit"]')]);
}

describe('finding support on a phone, keyboard only', { timeout: 120_000 }, () => {
  test('home -> postcode -> results -> a service', async () => {
    const page = await env.page(PHONE);
    await page.goto(`${env.base}/`);
    await checkAxe(page, '/ (with the find box)');

    // The home page's postcode box submits to /find.
    await tabTo(page, '#home-postcode');
    await page.keyboard.type('DN16 2');
    await Promise.all([page.waitForURL(/\/find\?/), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), 'Find support');
    const heading = await page.locator('#results').innerText();
    assert.match(heading, /^\d+ results? within 15 miles of DN16 2$/);
    const everything = resultCount(heading);
    assert.ok(everything >= 100, `the demo town has hundreds of services near DN16 2, not ${everything}`);
    await checkAxe(page, '/find?postcode=DN16 2 (phone)');
    await noSidewaysScroll(page, '/find on a phone');
    await shoot(page, 'find-results-mobile');

    // Nearest first: the distances never go down.
    const miles = await page.locator('.kith-result__facts strong').allInnerTexts();
    const nums = miles.map((t) => (t.startsWith('Less than') ? 0 : parseFloat(t)));
    assert.ok(nums.length > 0, 'results show how far away they are');
    for (let i = 1; i < nums.length; i++) assert.ok(nums[i] >= nums[i - 1], `sorted by distance: ${miles.join(', ')}`);

    // Words too, with the keyboard: back to the search box, type, Enter.
    await page.focus('#q');
    await page.keyboard.type('walk');
    await Promise.all([page.waitForURL(/q=walk/), page.keyboard.press('Enter')]);
    const walks = await page.locator('#results').innerText();
    assert.match(walks, /^\d+ results? within 15 miles of DN16 2$/);
    assert.ok(resultCount(walks) > 0 && resultCount(walks) < everything,
      `"walk" narrows the ${everything} services near DN16 2 to some: ${walks}`);
    const found = await page.locator('.kith-result').allInnerTexts();
    assert.ok(found.length > 0, 'the results are listed');
    for (const r of found) assert.match(r, /walk/i, `a result for "walk" that does not say walk: ${r.slice(0, 80)}`);
    assert.ok(await page.locator('.kith-result h3 a', { hasText: 'Bottesford Health Walk' }).count() >= 1,
      'the demo town\'s Bottesford Health Walk is found');

    // The filters open from the keyboard (a <details>), and tick one.
    await tabTo(page, 'summary.govuk-details__summary');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('details.kith-filters').getAttribute('open'), '');
    await checkAxe(page, '/find with the filters open');

    // Open the first result.
    await tabTo(page, '.kith-result h3 a');
    const name = (await page.evaluate(() => document.activeElement.innerText)).trim();
    await Promise.all([page.waitForURL(/\/services\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
    assert.equal(await h1(page), name);
    assert.ok(await page.locator('text=How to join').count() > 0, 'says how to join');
    await checkAxe(page, '/services/… (phone)');
    await noSidewaysScroll(page, 'a service on a phone');
    await shoot(page, 'service-mobile');

    // Its organisation.
    await tabTo(page, 'main .govuk-caption-l a');
    await Promise.all([page.waitForURL(/\/organisations\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);
    await checkAxe(page, '/organisations/…');
    await page.close();
  });

  test('on a phone the results come first, the filters behind "Filter results"', async () => {
    const page = await env.page(BIG_PHONE);
    await page.goto(`${env.base}/find?q=walk&postcode=DN15+6XX`);
    const filters = page.locator('details.kith-filters');
    const toggle = page.locator('details.kith-filters > summary');
    assert.equal(await filters.getAttribute('open'), null, 'the filters start folded');
    assert.ok(await toggle.isVisible(), 'the "Filter results" button is shown');
    assert.match(spoken(await toggle.innerText()), /^Filter results$/);
    assert.ok(!(await page.locator('#free-1').isVisible()), 'no checkbox before the results');
    // The first result is on the first screen, and a few tabs away.
    const first = page.locator('.kith-result h3 a').first();
    const box = await first.boundingBox();
    assert.ok(box.y + box.height <= BIG_PHONE.height,
      `the first result ends at ${Math.round(box.y + box.height)}px, below the ${BIG_PHONE.height}px screen`);
    // (Past the skip link, the site's navigation and the search form.)
    const tabs = await tabsTo(page, '.kith-result h3 a');
    assert.ok(tabs <= 16, `the first result is ${tabs} tabs away`);
    // The button is big enough to tap, and opens the filters from the
    // keyboard; the browser says whether it is open (a <summary>).
    const tb = await toggle.boundingBox();
    assert.ok(tb.height >= 44 && tb.width >= 44, `"Filter results" is ${tb.width}x${tb.height}px`);
    await page.goto(`${env.base}/find?q=walk&postcode=DN15+6XX`);
    await tabTo(page, 'details.kith-filters > summary');
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement).backgroundColor);
    assert.notEqual(ring, 'rgba(0, 0, 0, 0)', 'the focused button is highlighted');
    await page.keyboard.press('Enter');
    assert.equal(await filters.getAttribute('open'), '');
    assert.ok(await page.locator('#free-1').isVisible(), 'the filters are open');
    await checkAxe(page, '/find on a phone with the filters open');
    await shoot(page, 'find-filters-open-mobile');
    // Tick one and apply: the results again, the filters folded, the
    // choice kept and counted on the button.
    await page.locator('#free-1').check();
    await Promise.all([page.waitForURL(/free=1/), page.click('text=Apply filters')]);
    assert.equal(await filters.getAttribute('open'), null, 'Apply folds the filters again');
    assert.ok(await page.isChecked('#free-1'), 'the box stays ticked');
    assert.match(spoken(await toggle.innerText()), /^Filter results \(1 chosen\)$/);
    // (It lands on the results: the box is relative to the screen.)
    const after = await page.locator('.kith-result h3 a').first().boundingBox();
    assert.ok(after.y >= 0 && after.y + after.height <= BIG_PHONE.height,
      `after Apply the first result is on the screen, not at ${Math.round(after.y)}px`);
    await noSidewaysScroll(page, '/find with a filter on a phone');
    await shoot(page, 'find-filtered-mobile');
    await page.close();
  });

  test('on a wide screen the filters are open beside the results', async () => {
    const page = await env.page();
    await page.goto(`${env.base}/find?q=walk&postcode=DN15+6XX`);
    assert.ok(!(await page.locator('details.kith-filters > summary').isVisible()),
      'no disclosure on a wide screen');
    assert.ok(await page.locator('.kith-filters__heading').isVisible(), 'the filters have a heading');
    assert.ok(await page.locator('#free-1').isVisible(), 'the filters are shown');
    const f = await page.locator('#free-1').boundingBox();
    const r = await page.locator('.kith-result h3 a').first().boundingBox();
    assert.ok(f.x < r.x, 'the filters are beside the results, on the left');
    // Reachable by keyboard, in order: the filters, then the results.
    await tabTo(page, '#free-1');
    await page.locator('#free-1').check();
    await Promise.all([page.waitForURL(/free=1/), page.click('text=Apply filters')]);
    assert.ok(await page.locator('#free-1').isVisible(), 'still shown after Apply');
    await checkAxe(page, '/find with the filters beside the results');
    await page.close();
  });

  test('a postcode that is not one: the message, linked to the box', async () => {
    const page = await env.page(PHONE);
    const resp = await page.goto(`${env.base}/find?q=lunch&postcode=ZZ99+9ZZ`);
    assert.equal(resp.status(), 422);
    assert.match(await page.title(), /^Error: Find support/);
    assert.equal(await page.locator('.govuk-error-summary a[href="#postcode"]').count(), 1);
    assert.equal(await page.inputValue('#postcode'), 'ZZ99 9ZZ');
    assert.equal(await page.inputValue('#q'), 'lunch');
    await checkAxe(page, '/find with a bad postcode');
    await shoot(page, 'find-bad-postcode-mobile');
    await page.close();
  });

  test('a town instead of a postcode, and one that is not known', async () => {
    const page = await env.page(BIG_PHONE);
    await page.goto(`${env.base}/find`);
    await page.fill('#postcode', 'scunthorpe');
    await Promise.all([page.waitForURL(/postcode=scunthorpe/), page.click('main button[type="submit"]')]);
    assert.match(await page.locator('#results').innerText(), /^\d+ results? within 15 miles of Scunthorpe$/);
    assert.match(await page.title(), /^\d+ services? near Scunthorpe/);
    const resp = await page.goto(`${env.base}/find?q=walk&postcode=Scuntorpe`);
    assert.equal(resp.status(), 422);
    const said = await page.locator('#postcode-error').innerText();
    assert.match(said, /We could not find “Scuntorpe”\. Try a postcode, like DN15 6XX, or one of: Scunthorpe, /);
    assert.equal(await page.inputValue('#postcode'), 'Scuntorpe');
    await checkAxe(page, '/find with a place that is not known');
    await shoot(page, 'find-unknown-place-mobile');
    await page.close();
  });

  test('works with JavaScript off, and on a 320px phone', async () => {
    const page = await env.page({ width: 320, height: 640, javaScriptEnabled: false });
    await page.goto(`${env.base}/find`);
    await page.fill('#postcode', 'DN15 6');
    await Promise.all([page.waitForURL(/postcode=DN15\+6/), page.click('main button[type="submit"]')]);
    const all = await page.locator('#results').innerText();
    assert.match(all, /^\d+ results? within 15 miles of DN15 6$/);
    await noSidewaysScroll(page, '/find at 320px');
    // Tick "Free" inside the folded filters and apply: fewer results, each
    // of them free, and the filter listed with a way to remove it.
    await page.click('summary.govuk-details__summary');
    await page.locator('#free-1').check();
    await Promise.all([page.waitForURL(/free=1/), page.click('text=Apply filters')]);
    assert.ok(await page.isChecked('#free-1'), 'the box stays ticked');
    const free = await page.locator('#results').innerText();
    assert.match(free, /^\d+ results? within 15 miles of DN15 6$/);
    assert.ok(resultCount(free) > 0 && resultCount(free) < resultCount(all),
      `"Free" narrows ${all} to some: ${free}`);
    const facts = await page.locator('.kith-result .kith-result__facts').allInnerTexts();
    assert.ok(facts.length > 0, 'the free results are listed');
    for (const f of facts) assert.match(f, /^Free$/m, `a result that is not free: ${f.replace(/\n/g, ', ')}`);
    const remove = page.locator('.kith-chosen a');
    assert.equal(await remove.count(), 1, 'one filter chosen');
    assert.equal(spoken(await remove.textContent()), 'Remove filter: Free of charge');
    await noSidewaysScroll(page, '/find with a filter at 320px');
    await page.close();
  });

  test('desktop screenshots', async () => {
    const page = await env.page();
    await page.goto(`${env.base}/find`);
    assert.equal(await h1(page), 'Find support');
    assert.ok(await page.locator('#q').isVisible(), 'the search box is shown');
    await checkAxe(page, '/find (nothing asked)');
    await shoot(page, 'find-start-desktop');
    await page.goto(`${env.base}/find?q=walk&postcode=DN15+6XX&free=1`);
    assert.match(await page.locator('#results').innerText(), /^[1-9]\d* results? within 15 miles of DN15 6XX$/);
    assert.equal(spoken(await page.locator('.kith-chosen a').textContent()), 'Remove filter: Free of charge');
    await checkAxe(page, '/find with words, postcode and a filter (desktop)');
    await shoot(page, 'find-results-desktop');
    const first = page.locator('.kith-result h3 a').first();
    const name = (await first.innerText()).trim();
    assert.match(name, /walk/i);
    await first.click();
    await page.waitForURL(/\/services\//);
    assert.equal(await h1(page), name);
    assert.ok(await page.locator('text=How to join').count() > 0, 'says how to join');
    await checkAxe(page, '/services/… (desktop)');
    await shoot(page, 'service-desktop');
    await page.close();
  });
});

describe('organisers and coordinators', { timeout: 120_000 }, () => {
  test('an organiser\'s services, the form with errors, and a new draft', async () => {
    const page = await env.page();
    await signIn(page, ORGANISER);
    await page.goto(`${env.base}/manage`);
    assert.equal(await h1(page), 'Your services');
    await checkAxe(page, '/manage');
    await shoot(page, 'manage-list-desktop');

    await page.goto(`${env.base}/manage/services/new`);
    assert.equal(await h1(page), 'Add a service');
    await checkAxe(page, '/manage/services/new');
    // Send it nearly empty: errors, the summary focused, what was typed kept.
    await page.fill('#description', 'A gentle walk, then tea.');
    await page.check('#categories');
    await Promise.all([page.waitForLoadState('load'), page.click('#service-form button[type="submit"]')]);
    await page.waitForSelector('.govuk-error-summary');
    assert.match(await page.title(), /^Error: Add a service/);
    assert.equal(await page.inputValue('#description'), 'A gentle walk, then tea.');
    assert.ok(await page.isChecked('#categories'));
    await checkAxe(page, '/manage/services/new with errors');
    await shoot(page, 'manage-form-errors-desktop');

    // Put it right: a draft, waiting for a coordinator.
    await page.fill('#name', 'Browser Test Walk');
    await page.check('#free');
    await page.check('#in_person');
    await page.fill('#address_1', '1 Park Road');
    await page.fill('#town', 'Scunthorpe');
    await page.fill('#postcode', 'DN15 6XX');
    await page.selectOption('#sched0_kind', 'weekly');
    await page.selectOption('#sched0_weekday', '2');
    await page.fill('#sched0_opens', '10:00');
    await page.check('#join');
    await Promise.all([page.waitForURL(/\/services\/[0-9a-f-]{36}\?done=created$/),
      page.click('#service-form button[type="submit"]')]);
    assert.equal(await h1(page), 'Browser Test Walk');
    assert.match(await page.locator('main').innerText(), /This is a draft/);
    await checkAxe(page, 'a new draft');
    await page.close();
  });

  test('a coordinator reviews and publishes', async () => {
    const page = await env.page();
    await signIn(page, COORDINATOR);
    await page.goto(`${env.base}/review`);
    assert.equal(await h1(page), 'Review listings');
    await checkAxe(page, '/review');
    await shoot(page, 'manage-review-desktop');
    const item = page.locator('li', { has: page.locator('a', { hasText: 'Browser Test Walk' }) }).first();
    await Promise.all([page.waitForURL(/\/review\?done=published/), item.locator('button', { hasText: 'Publish' }).click()]);
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), /published/);
    await page.goto(`${env.base}/find?q=browser+test+walk`);
    assert.ok(await page.locator('.kith-result a', { hasText: 'Browser Test Walk' }).count() === 1,
      'published: search finds it at once');
    await page.close();
  });

  test('archiving asks first, at phone size too', async () => {
    for (const [size, tag] of [[PHONE, 'mobile'], [null, 'desktop']]) {
      const page = await env.page();
      if (size) await page.setViewportSize(size);
      await signIn(page, COORDINATOR);
      await page.goto(`${env.base}/find?q=browser+test+walk`);
      await Promise.all([page.waitForURL(/\/services\//),
        page.locator('.kith-result a', { hasText: 'Browser Test Walk' }).first().click()]);
      const service = page.url();
      await page.locator('form[action$="/archive"] button').click();
      // The confirmation names the service and says what will happen;
      // nothing has changed yet.
      assert.equal(await h1(page), 'Archive Browser Test Walk?');
      assert.match(await page.locator('main').innerText(), /no longer find it/);
      await checkAxe(page, `archive confirmation (${tag})`);
      await noSidewaysScroll(page, `archive confirmation (${tag})`);
      await shoot(page, `confirm-archive-${tag}`);
      if (tag === 'mobile') {
        // "No, go back" leaves it as it was.
        await Promise.all([page.waitForURL(service), page.click('text=No, go back')]);
        assert.equal(await h1(page), 'Browser Test Walk');
      } else {
        await Promise.all([page.waitForURL(/\?done=archived/), page.click('button:has-text("Yes, archive it")')]);
        await page.goto(`${env.base}/find?q=browser+test+walk`);
        assert.equal(await page.locator('.kith-result a', { hasText: 'Browser Test Walk' }).count(), 0,
          'archived: search no longer finds it');
      }
      await page.close();
    }
  });
});
