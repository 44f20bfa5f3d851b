// pages.test.mjs - each page as a visitor meets it: the right heading and
// title, no accessibility failures that axe can find, a stylesheet that
// loads and works under kith's CSP, no sideways scrolling on a 320px
// phone, no JavaScript in it and forms that work with it off; and
// screenshots (build/screenshots/<page>-desktop.png and -mobile.png, which
// `make screenshots` copies to docs/screenshots).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { axe, formatViolations, SCREENSHOTS, served } from './lib.mjs';
import { PAGES } from './pages.mjs';

const env = served();

// The text of <main>, with runs of white space made one.
const mainText = (page) => page.locator('main').innerText().then((t) => t.replace(/\s+/g, ' ').trim());

function pngSize(file) {
  const b = readFileSync(file);
  assert.equal(b.toString('ascii', 1, 4), 'PNG', `${file} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

for (const p of PAGES) {
  describe(`${p.name} page (${p.path})`, { timeout: 30_000 }, () => {
    test('answers with its status, title and heading', async () => {
      const page = await env.page();
      const resp = await page.goto(env.base + p.path);
      assert.equal(resp.status(), p.status);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      const site = (await page.locator('header a[href="/"]').first().innerText()).trim();
      assert.ok(site.length > 0, 'the header shows the service name, linking to the home page');
      assert.equal(await page.title(), p.title ? `${p.title} – ${site}` : site);
      const h1 = page.locator('main h1');
      assert.equal(await h1.count(), 1, 'one <h1>, inside <main>');
      const text = (await h1.innerText()).trim();
      if (p.h1 instanceof RegExp) assert.match(text, p.h1);
      else assert.equal(text, p.h1);
      for (const href of ['/accessibility', '/privacy']) {
        assert.equal(await page.locator(`footer a[href="${href}"]`).count(), 1, `the footer links to ${href}`);
      }
      await page.close();
    });

    test('has no WCAG 2.2 A or AA violations that axe can find', async () => {
      const page = await env.page();
      await page.goto(env.base + p.path);
      const violations = await axe(page);
      assert.equal(violations.length, 0, formatViolations(p.path, violations));
      await page.close();
    });

    test('loads its styles and icon under the real CSP, with no errors', async () => {
      // No bypassCSP here: an inline style or script, or anything from
      // elsewhere, is refused by the browser and shows up as an error.
      const page = await env.page({ bypassCSP: false });
      const problems = [];
      page.on('console', (m) => {
        // The browser logs the page's own 404 as an error: that one is meant.
        if (m.type() !== 'error') return;
        if (m.location().url === env.base + p.path && /status of \d+/.test(m.text()) && p.status >= 400) return;
        problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on('response', (r) => {
        if (r.status() >= 400 && r.url() !== env.base + p.path) problems.push(`HTTP ${r.status()}: ${r.url()}`);
      });
      await page.goto(env.base + p.path, { waitUntil: 'load' });
      // The icon is fetched lazily; ask for it the way the browser would.
      const icon = await page.getAttribute('link[rel="icon"]', 'href');
      assert.ok(icon, 'the page names an icon');
      const iconResp = await page.request.get(new URL(icon, env.base).href);
      assert.equal(iconResp.status(), 200, `the icon ${icon} is served`);
      // The stylesheet applied: the header has the brand colour and the
      // text a system font, not GDS Transport.
      const look = await page.evaluate(() => ({
        header: getComputedStyle(document.querySelector('header')).backgroundColor,
        font: getComputedStyle(document.querySelector("main h1")).fontFamily,
        scripts: document.scripts.length,
        styled: document.querySelectorAll('[style]').length,
      }));
      assert.equal(look.header, 'rgb(16, 97, 101)', 'the header is kith teal');
      assert.match(look.font, /^system-ui/);
      assert.doesNotMatch(look.font, /GDS Transport/);
      assert.equal(look.scripts, 0, 'kith ships no JavaScript');
      assert.equal(look.styled, 0, 'no style="" attributes (the CSP refuses them)');
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('fits a 320px-wide screen without scrolling sideways', async () => {
      const page = await env.page({ width: 320, height: 640 });
      await page.goto(env.base + p.path);
      const { scroll, client, wide } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        // Elements that stick out past the right edge, to say what to fix.
        wide: [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 ||
                          el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible')
          .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
      }));
      assert.ok(scroll <= client, `page is ${scroll}px wide on a ${client}px screen; too wide: ${wide.join(', ')}`);
      await page.close();
    });

    test('needs no JavaScript: none in its HTML, and its forms work with it off', async () => {
      // kith's pages run no script, so comparing them with JavaScript on
      // and off would prove nothing. What matters is that there is nothing
      // to run (no <script>, no on...= handler, no javascript: link) and
      // that a person with JavaScript off can use the page.
      const html = await (await fetch(env.base + p.path)).text();
      assert.doesNotMatch(html, /<script\b/i, 'no <script> element');
      assert.doesNotMatch(html, /<[^>]+\son[a-z]+\s*=/i, 'no on...= handler attribute');
      assert.doesNotMatch(html, /<[^>]+=\s*["']?\s*javascript:/i, 'no javascript: link');

      const page = await env.page({ javaScriptEnabled: false });
      const resp = await page.goto(env.base + p.path);
      assert.equal(resp.status(), p.status);
      const h1 = (await page.locator('main h1').innerText()).trim();
      if (p.h1 instanceof RegExp) assert.match(h1, p.h1);
      else assert.equal(h1, p.h1);
      assert.ok((await mainText(page)).length > 100, 'the page has its words without JavaScript');
      // Each form in <main> is a plain GET or POST to kith, and a GET one
      // takes you where it says when sent (a postcode, where it asks for
      // one, comes along).
      const forms = await page.locator('main form').evaluateAll((fs) =>
        fs.map((f) => ({ method: (f.getAttribute('method') || 'get').toLowerCase(),
                         action: f.getAttribute('action') })));
      for (const f of forms) {
        assert.ok(['get', 'post'].includes(f.method), `a form with method ${f.method}`);
        assert.ok(f.action && f.action.startsWith('/'), `a form with action ${f.action}`);
      }
      const get = page.locator('main form[method="get"]').first();
      if (forms.some((f) => f.method === 'get')) {
        const action = await get.getAttribute('action');
        const postcode = get.locator('input[name="postcode"]');
        const hasPostcode = await postcode.count() > 0;
        if (hasPostcode) await postcode.fill('DN15 6');
        const [sent] = await Promise.all([
          page.waitForNavigation(),
          get.locator('button[type="submit"]').click(),
        ]);
        const url = new URL(page.url());
        assert.equal(url.pathname, action, 'the form went where its action says');
        assert.equal(sent.status(), 200, `${page.url()} answered ${sent.status()}`);
        if (hasPostcode) {
          assert.equal(url.searchParams.get('postcode'), 'DN15 6');
          assert.equal(await page.inputValue('#postcode'), 'DN15 6', 'the postcode is kept');
        }
      }
      await page.close();
    });

    if (p.shots) test('screenshots: full page at 1280px and 375px, its heading shown, nothing wider than the screen', async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      for (const [kind, width] of [['desktop', 1280], ['mobile', 375]]) {
        const page = await env.page({ width, height: 800 });
        const resp = await page.goto(env.base + p.path);
        assert.equal(resp.status(), p.status);
        // What the picture is of: the page's heading, visible.
        const h1 = page.locator('main h1');
        assert.ok(await h1.isVisible(), `${p.path}: the heading is visible at ${width}px`);
        const text = (await h1.innerText()).trim();
        if (p.h1 instanceof RegExp) assert.match(text, p.h1);
        else assert.equal(text, p.h1);
        const { scroll, inner } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        }));
        assert.ok(scroll <= inner, `${p.path} is ${scroll}px wide on a ${inner}px screen`);
        // The reference differs on every request: a fixed one keeps the
        // pictures the same from run to run while the page is.
        await page.evaluate(() => document.querySelectorAll('.kith-reference')
          .forEach((el) => { el.textContent = '0123456789abcdef'; }));
        const file = join(SCREENSHOTS, `${p.name}-${kind}.png`);
        await page.screenshot({ path: file, fullPage: true });
        // A full-page screenshot is as wide as the page: wider than the
        // screen would mean sideways scrolling.
        const size = pngSize(file);
        assert.equal(size.width, width, `${file} is ${size.width}px wide`);
        assert.ok(size.height >= 400, `${file} is only ${size.height}px high`);
        await page.close();
      }
    });
  });
}

describe('stylesheet', () => {
  test('has no web fonts and refers only to files kith serves', async () => {
    const html = await (await fetch(env.base + '/')).text();
    const href = html.match(/<link rel="stylesheet" href="([^"]+)"/)?.[1];
    assert.ok(href, 'the layout links a stylesheet');
    const r = await fetch(env.base + href);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/css/);
    const css = await r.text();
    assert.doesNotMatch(css, /@font-face/, 'no @font-face');
    assert.doesNotMatch(css, /GDS Transport/i, 'no GDS Transport');
    assert.doesNotMatch(css, /\.woff2?\b|\.ttf\b|\.eot\b/, 'no font files');
    const urls = [...css.matchAll(/url\(\s*['"]?([^'")]+)/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:'));
    for (const u of urls) {
      const ur = await fetch(new URL(u, env.base + href));
      assert.equal(ur.status, 200, `the stylesheet refers to ${u}, which kith does not serve`);
    }
    assert.ok(css.length < 100_000, `the stylesheet is ${css.length} bytes`);
  });
});
