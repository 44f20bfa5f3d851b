// keyboard.test.mjs - using each page with a keyboard only: Tab from the
// top reaches the skip link first, then every link and button in the order
// they appear, each with a focus style you can see; the skip link takes
// you into the page's main content; and what you tap is big enough.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { served } from './lib.mjs';
import { PAGES } from './pages.mjs';

const env = served();

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), ' +
  'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

// Numbers every element a keyboard should reach, in document order, and
// returns a description of each ("a 'Home' -> /").
function markFocusable(page) {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)]
    .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .map((el, i) => {
      el.dataset.kt = String(i);
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
      return `${el.tagName.toLowerCase()} '${text.slice(0, 40)}'${el.getAttribute('href') ? ` -> ${el.getAttribute('href')}` : ''}`;
    }), FOCUSABLE);
}

// What has focus now: its number from markFocusable (or a description if
// it was not marked), and whether its focus style can be seen: GOV.UK's
// yellow (a background or a box-shadow), or a solid, coloured outline.
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const cs = getComputedStyle(el);
    const yellow = 'rgb(255, 221, 0)';
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 &&
      !/rgba\(.*, 0\)$|transparent/.test(cs.outlineColor);
    const r = el.getBoundingClientRect();
    return {
      id: el.dataset.kt ?? `unexpected ${el.tagName.toLowerCase()}#${el.id}.${el.className}`,
      visibleFocus: cs.backgroundColor === yellow || cs.boxShadow.includes(yellow) || outline,
      onScreen: r.width >= 1 && r.height >= 1 && r.bottom > 0 && r.right > 0,
      tag: el.tagName.toLowerCase(),
      id_: el.id,
      text: el.innerText?.trim(),
    };
  });
}

for (const p of PAGES) {
  describe(`keyboard on the ${p.name} page (${p.path})`, { timeout: 30_000 }, () => {
    test('Tab reaches the skip link first, then every link and button in order, each visibly focused', async () => {
      const page = await env.page();
      await page.goto(env.base + p.path);
      const expected = await markFocusable(page);
      assert.ok(expected.length >= 4, `only ${expected.length} links and buttons: ${expected.join(', ')}`);

      const seen = [];
      const unseenFocus = [];
      for (let i = 0; i < expected.length + 3; i++) {
        await page.keyboard.press('Tab');
        const f = await focused(page);
        if (!f || f.id === '0' && seen.length > 0) break; // left the page, or wrapped round
        if (i === 0) {
          assert.equal(f.text, 'Skip to main content', 'the first Tab focuses the skip link');
          assert.ok(f.onScreen, 'the skip link can be seen when it has focus');
        }
        seen.push(/^\d+$/.test(f.id) ? expected[Number(f.id)] : f.id);
        if (!f.visibleFocus || !f.onScreen) unseenFocus.push(seen.at(-1));
      }
      assert.deepEqual(seen, expected, 'Tab visits every link and button, in page order, once');
      assert.deepEqual(unseenFocus, [], 'these had focus without a visible focus style');
      await page.close();
    });

    test('the skip link moves focus to the main content', async () => {
      const page = await env.page();
      await page.goto(env.base + p.path);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      const f = await page.evaluate(() => ({ tag: document.activeElement.tagName.toLowerCase(),
                                             id: document.activeElement.id }));
      assert.deepEqual(f, { tag: 'main', id: 'main-content' });
      // The next Tab goes on from the main content, not back to the header.
      await page.keyboard.press('Tab');
      const where = await page.evaluate(() => {
        const el = document.activeElement;
        const main = document.getElementById('main-content');
        return {
          inHeader: !!el.closest('header'),
          afterMainStart: !!(main.compareDocumentPosition(el) &
            (Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY)),
        };
      });
      assert.deepEqual(where, { inHeader: false, afterMainStart: true });
      await page.close();
    });

    test('links in the header and footer, and buttons, are at least 44px high', async () => {
      for (const width of [1280, 320]) {
        const page = await env.page({ width, height: 640 });
        await page.goto(env.base + p.path);
        const small = await page.evaluate(() => [...document.querySelectorAll(
          'header a, header button, footer li a, .govuk-button, main button')]
          .map((el) => ({ el, r: el.getBoundingClientRect() }))
          .filter(({ r }) => r.height < 44 || r.width < 44)
          .map(({ el, r }) => `${el.tagName.toLowerCase()} '${el.innerText.trim()}' ${Math.round(r.width)}x${Math.round(r.height)}`));
        assert.deepEqual(small, [], `targets smaller than 44px at ${width}px wide`);
        await page.close();
      }
    });
  });
}
