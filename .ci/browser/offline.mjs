// What the browser checks share: Debian's headless Chromium locked down to loopback, and a page that
// records every request leaving its origin and every error it meets.
import { chromium } from 'playwright-core';

// Launches Chromium with no network beyond loopback, and proves it: a page on a name that is not
// loopback must not load. Throws otherwise.
export async function launchOffline(timeout) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout,
    args: [
      // No name resolves except the loopback address, and every connection that is not to loopback
      // goes to a proxy on the discard port, where nothing listens: loopback works, the rest is refused.
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost , EXCLUDE ::1',
      '--proxy-server=http://127.0.0.1:9',
      '--proxy-bypass-list=127.0.0.1;localhost;[::1]',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-dev-shm-usage',
    ],
  });
  const probe = await browser.newPage();
  const error = await probe
    .goto('http://offline-check.invalid/', { timeout: Math.min(timeout, 10_000) })
    .then(() => null, (e) => e.message);
  await probe.close();
  if (!error) {
    await browser.close();
    throw new Error('Chromium reached http://offline-check.invalid/: the network is not locked down');
  }
  return browser;
}

// A new page of `browser` whose requests off `origin` (or the origins of a list) are refused and listed in
// `offOrigin`, and whose console errors, page errors, HTTP errors and failed requests are listed in
// `errors`.
export async function watchedPage(browser, origin, offOrigin, errors, timeout) {
  const origins = [origin].flat();
  const hosts = origins.map((allowed) => new URL(allowed).host);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (origins.includes(new URL(url).origin)) return route.continue();
    offOrigin.push(`${route.request().method()} ${url}`);
    return route.abort('blockedbyclient');
  });
  page.on('websocket', (ws) => {
    if (!hosts.includes(new URL(ws.url()).host)) offOrigin.push(`WebSocket ${ws.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    if (origins.includes(new URL(r.url()).origin)) errors.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
  });
  return page;
}
