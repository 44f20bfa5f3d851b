import { chromium } from 'playwright-core';
const [,, url, out, w, h, full] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const p = await (await b.newContext({ viewport: { width: +w || 1280, height: +h || 800 } })).newPage();
await p.goto(url);
await p.screenshot({ path: out, fullPage: full === '1' });
await b.close();
