// lib.mjs - what every browser test needs: a running kith and a headless
// Chromium, both thrown away afterwards.
//
//   const env = await start();     // server (or KITH_TEST_URL) + browser
//   const page = await env.page({ width: 375, javaScriptEnabled: false });
//   await env.stop();              // always: in after(), even on failure
//
// The server is build/kith (or $KITH_BIN) on a free loopback port with a
// fresh SQLite database in a temporary directory; start() resolves once
// /healthz answers 200, and fails with the server's own output if it does
// not within 10 s. Set KITH_TEST_URL to test a server that is already
// running instead. Chromium is Debian's (/usr/bin/chromium, or
// $CHROMIUM_BIN), with a fresh profile; contexts bypass the CSP only so
// that axe-core can be injected (kith's pages themselves run no script).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Screenshots go to build/: a test run never changes the checkout.
// `make screenshots` copies them to docs/screenshots for the docs.
export const SCREENSHOTS = join(ROOT, 'build/screenshots');

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic',
];
const HEALTH_TIMEOUT_MS = 10_000;

// Everything start() made, so that a crash or ^C still cleans up.
const live = new Set();
function forgetAll() {
  for (const r of live) {
    try { r.kill(); } catch { /* already gone */ }
  }
}
process.once('exit', forgetAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => { forgetAll(); process.exit(130); });
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(base, child, output) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';

  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`kith exited with status ${child.exitCode} before it was ready:\n${output()}`);
    }
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await sleep(100);
  }
  throw new Error(`kith was not healthy within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last}):\n${output()}`);
}

async function startServer({ prefix = 'kith-browser-', prepare, args } = {}) {
  if (process.env.KITH_TEST_URL) {
    const base = process.env.KITH_TEST_URL.replace(/\/+$/, '');
    await waitHealthy(base, null, () => '(external server)');
    return { base, output: () => '', stop: async () => {} };
  }

  const dir = mkdtempSync(join(tmpdir(), prefix));
  const bin = process.env.KITH_BIN || join(ROOT, 'build/kith');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const db = `sqlite:${join(dir, 'kith.db')}`;
  let log = '';
  if (prepare) {
    try {
      prepare((words, input) => {
        const r = spawnSync(bin, [...words, '--db', db], { cwd: dir, input, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`kith ${words.join(' ')}: ${r.stderr || r.error}`);
        return r.stdout;
      }, dir);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
  // The working directory is the empty temporary one, so a kith.conf in
  // the checkout cannot change what is tested.
  const child = spawn(bin, [
    'serve',
    '--db', db,
    '--listen', `127.0.0.1:${port}`,
    '--migrate-on-start', 'true',
    '--rate-limit', '0',
    '--shutdown-grace', '1',
    ...(args ? args(base, dir) : []),
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b) => { log = (log + b.toString()).slice(-20_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const spawnFailed = new Promise((_, fail) => child.once('error', (e) =>
    fail(new Error(`cannot run ${bin}: ${e.message} (build it with make, or set KITH_BIN)`))));
  spawnFailed.catch(() => {});

  const handle = {
    kill() { if (child.exitCode === null) child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); },
  };
  live.add(handle);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
    live.delete(handle);
  };

  try {
    await Promise.race([waitHealthy(base, child, () => log), spawnFailed]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { base, dir, output: () => log, stop };
}

/**
 * Starts kith and Chromium. opts (all optional):
 *   prefix          the temporary directory's name prefix
 *   prepare(run, dir)  runs before the server starts: run(words, input)
 *                   runs `kith WORDS --db <the test database>` (input on
 *                   its standard input), fails on a non-zero status and
 *                   returns what it printed: run(['demo'])
 *   args(base, dir) more `kith serve` flags: (b, d) => ['--base-url', b]
 * Returns
 *   base            the server's URL, no trailing slash
 *   page(opts)      a new page (close it when done); opts: width (1280),
 *                   height (800), javaScriptEnabled (true), bypassCSP
 *                   (true: needed to inject axe; false tests the real CSP)
 *   dir             the server's temporary directory (its database, and
 *                   its mail when args put it there); removed by stop()
 *   serverOutput()  what the server has printed (for failure messages)
 *   stop()          closes everything; safe to call twice
 */
export async function start(opts = {}) {
  const server = await startServer(opts);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (e) {
    await server.stop();
    throw e;
  }
  const handle = { kill() { try { browser.process()?.kill('SIGKILL'); } catch { /* gone */ } } };
  live.add(handle);

  // One context per set of options, made on first use: a new page in an
  // existing context costs a fraction of a new context.
  const contexts = new Map();
  let stopped = false;
  return {
    base: server.base,
    dir: server.dir,
    serverOutput: server.output,
    async page({ width = 1280, height = 800, javaScriptEnabled = true, bypassCSP = true } = {}) {
      const key = JSON.stringify([width, height, javaScriptEnabled, bypassCSP]);
      let context = contexts.get(key);
      if (!context) {
        context = browser.newContext({
          viewport: { width, height },
          bypassCSP,
          javaScriptEnabled,
          reducedMotion: 'reduce',
        });
        contexts.set(key, context);
      }
      return (await context).newPage();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try { await browser.close(); } catch { handle.kill(); }
      live.delete(handle);
      await server.stop();
    },
  };
}

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

// GOV.UK Frontend's conditional reveal (the referral forms' contact boxes)
// marks each radio that reveals a box aria-expanded. ARIA does not list it
// for radios, so axe says aria-allowed-attr; GOV.UK keep it on purpose,
// because screen readers announce it (alphagov/govuk-frontend#979). That
// one finding, on such a radio and about aria-expanded alone, is let
// through; anything else about the same radio is not.
const GOVUK_REVEAL = /^Fix all of the following:\s+ARIA attribute is not allowed: aria-expanded="(true|false)"$/;
const knownReveal = (v, n) => v.id === 'aria-allowed-attr' &&
  /^<input class="govuk-radios__input"[^>]* aria-controls="[^"]+"/.test(n.html) &&
  GOVUK_REVEAL.test(n.failureSummary ?? '');

/** Runs axe-core on the page against WCAG 2.0, 2.1 and 2.2 A and AA.
 *  Returns the violations (an empty array when there are none), but for
 *  GOV.UK's conditional reveal above. */
export async function axe(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate((tags) =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
  WCAG_TAGS);
  return result.violations
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !knownReveal(v, n)) }))
    .filter((v) => v.nodes.length > 0);
}

/** Violations as text a person can act on: rule, impact, help and each
 *  failing element with axe's summary of what to fix. */
export function formatViolations(url, violations) {
  const lines = [`${violations.length} accessibility violation(s) on ${url}:`];
  for (const v of violations) {
    lines.push(`\n- ${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}`);
    for (const n of v.nodes) {
      lines.push(`  at ${n.target.join(' ')}\n    ${n.html.slice(0, 200)}`);
      if (n.failureSummary) lines.push(`    ${n.failureSummary.replace(/\n/g, '\n    ')}`);
    }
  }
  return lines.join('\n');
}

/** Presses Tab until the focused element matches selector; fails after max
 *  presses, naming the selector and the page. */
export async function tabTo(page, selector, max = 200) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector} on ${page.url()}`);
}

/** The flags a test server needs to sign people in over plain HTTP and
 *  keep its email as files in dir/mail. */
// Presses Tab until the focused element matches selector and its text is
// text (a link or button found by what it says).
export async function tabToText(page, selector, text, max = 300) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(([s, t]) => {
      const el = document.activeElement;
      return (el?.matches(s) && el.innerText.trim() === t) ?? false;
    }, [selector, text])) return;
  }
  throw new Error(`Tab never reached ${selector} saying "${text}" on ${page.url()}`);
}

// Tab to a field and type into it.
export async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

// Tab to a link or button and press Enter, waiting for the next page.
export async function follow(page, selector, url) {
  await tabTo(page, selector);
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')]);
}

export const devServer = (base, dir) => [
  '--dev-mode', 'true', '--mail-dir', join(dir, 'mail'), '--base-url', base,
];

/** start(opts) for a whole test file: before() starts it (and makes the
 *  screenshots folder), after() stops it. Returns the env start() gives,
 *  filled in once before() has run: call at the top level, use in tests. */
export function served(opts) {
  const env = {};
  before(async () => {
    Object.assign(env, await start(opts));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await env.stop?.();
  });
  return env;
}

/** The demo town (`kith demo`: services, demo accounts and referrals) on
 *  a development server, for a test file (served()). */
export const demoTown = (prefix) => served({ prefix, prepare: (run) => run(['demo']), args: devServer });
/** The demo accounts' password (src/directory/demo.c). */
export const DEMO_PASSWORD = 'walk-talk-tea-2026';

/** Fails, listing what axe found, unless the page has no violations. */
export async function checkAxe(page, what) {
  const violations = await axe(page);
  assert.equal(violations.length, 0, formatViolations(what, violations));
}

/** Fails if the page is wider than the screen (it would scroll sideways). */
export async function noSidewaysScroll(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what} is ${scroll}px wide on a ${client}px screen`);
}

/** The text of the page's main heading. */
export const h1 = (page) => page.locator('main h1').innerText().then((t) => t.trim());

// Signing in lands on the person's work (the account page, an inbox, a
// caseload, the review list): wait until the browser has left /login.
export const signedIn = (page) => page.waitForURL((u) => !new URL(u).pathname.startsWith('/login'));
