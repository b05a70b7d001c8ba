// The dashboard works offline and live: `node .ci/browser/dashboard.mjs http://127.0.0.1:PORT`
//
// Opens BASE/dashboard/ in Debian's headless Chromium with no network beyond loopback, pastes
// DASHBOARD_TOKEN (a reader of region Y61) and shows the region, waits for T6Y0W's row in the live fill
// rate, then changes the places of one of T6Y0W's cohorts through the API with DASHBOARD_ADMIN_TOKEN (an
// ICB administrator for T6Y0W) and waits for the page to show the new figure, without a reload. Fails on
// any request off the server's origin, any console, page or HTTP error, or after 60 s.
// With DASHBOARD_PAGES (the base URL of pages.mjs, another origin the server allows with
// --cors-allowed-origins), it then opens that copy of the page with `?api=` naming the server: its
// cross-origin requests (a CORS preflight for the token) must bring the region's comparison.
import { launchOffline, watchedPage } from './offline.mjs';

const BASE = process.argv[2];
const { DASHBOARD_TOKEN: TOKEN, DASHBOARD_ADMIN_TOKEN: ADMIN_TOKEN, DASHBOARD_PAGES: PAGES } = process.env;
if (!BASE || !TOKEN || !ADMIN_TOKEN) {
  console.error('usage: DASHBOARD_TOKEN=... DASHBOARD_ADMIN_TOKEN=... dashboard.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const ORIGIN = new URL(BASE).origin;
const ICB = 'T6Y0W';
const TIMEOUT_MS = 55_000;
const started = Date.now();
const left = () => Math.max(1, TIMEOUT_MS - (Date.now() - started));
const offOrigin = [];
const errors = [];
let browser;
let step = 'launching Chromium';

async function fail(message) {
  console.error(`FAIL dashboard: ${message} (while ${step})`);
  if (offOrigin.length) console.error(`requests off the server's origin:\n  ${offOrigin.join('\n  ')}`);
  if (errors.length) console.error(`errors:\n  ${errors.join('\n  ')}`);
  await browser?.close().catch(() => {});
  process.exit(1);
}
setTimeout(() => fail(`not done within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS).unref();

// The API, with the administrator's token, from this script (not the page).
async function api(query, variables = {}) {
  const response = await fetch(`${ORIGIN}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const answer = await response.json();
  if (answer.errors) throw new Error(`the API refused ${query.slice(0, 60)}...: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

// The places the page shows for ICB (its fill-rate table), or null.
const placesShown = (page) =>
  page.evaluate((icb) => {
    const row = [...document.querySelectorAll('#fill-rate tbody tr')].find((tr) => tr.cells[0]?.textContent === icb);
    return row ? Number(row.cells[2].textContent) : null;
  }, ICB);

try {
  browser = await launchOffline(left());
  const page = await watchedPage(browser, ORIGIN, offOrigin, errors, TIMEOUT_MS);

  step = `loading ${ORIGIN}/dashboard/`;
  const response = await page.goto(`${ORIGIN}/dashboard/`, { waitUntil: 'load', timeout: left() });
  if (response?.status() !== 200) await fail(`GET /dashboard/ answered ${response?.status()}`);

  step = 'showing region Y61 with the pasted token';
  await page.fill('#region', 'Y61');
  await page.fill('#token', TOKEN);
  await page.click('button[type=submit]');
  await page.waitForFunction((icb) => [...document.querySelectorAll('#fill-rate tbody tr')].some((tr) => tr.cells[0]?.textContent === icb), ICB, { timeout: left() });
  const before = await placesShown(page);
  if (!Number.isInteger(before)) await fail(`${ICB}'s places read ${before}`);
  await page.waitForFunction(() => document.querySelectorAll('#comparison tbody tr').length > 0, null, { timeout: left() });

  step = `changing the places of one of ${ICB}'s cohorts through the API`;
  const data = await api(`query ($icb: OdsCode!) { programmes(filter: { ownerIcb: { eq: $icb } }) {
    nodes { cohorts(first: 1) { nodes { id version placesOffered } } } } }`, { icb: ICB });
  const cohort = data.programmes.nodes.flatMap((programme) => programme.cohorts.nodes)[0];
  if (!cohort) await fail(`${ICB} has no cohort to change`);
  const changed = await api(`mutation ($input: UpdateCohortInput!) { updateCohort(input: $input) {
    cohort { placesOffered } userErrors { code message } } }`, {
    input: { id: cohort.id, expectedVersion: cohort.version, placesOffered: cohort.placesOffered + 1 },
  });
  if (changed.updateCohort.userErrors.length) await fail(`updateCohort: ${JSON.stringify(changed.updateCohort.userErrors)}`);

  step = `waiting for the page to show ${ICB}'s places move from ${before} to ${before + 1}`;
  await page.waitForFunction(
    ([icb, expected]) => {
      const row = [...document.querySelectorAll('#fill-rate tbody tr')].find((tr) => tr.cells[0]?.textContent === icb);
      return row && Number(row.cells[2].textContent) === expected;
    },
    [ICB, before + 1],
    { timeout: left(), polling: 100 },
  );
  let across = '';
  if (PAGES) {
    step = `showing the region from a copy of the page on ${PAGES}, across origins`;
    const pagesOrigin = new URL(PAGES).origin;
    const other = await watchedPage(browser, [pagesOrigin, ORIGIN], offOrigin, errors, TIMEOUT_MS);
    await other.goto(`${pagesOrigin}/dashboard/?api=${encodeURIComponent(ORIGIN)}`, { waitUntil: 'load', timeout: left() });
    await other.fill('#region', 'Y61');
    await other.fill('#token', TOKEN);
    await other.click('button[type=submit]');
    await other.waitForFunction(() => document.querySelectorAll('#comparison tbody tr').length > 0, null, { timeout: left() });
    across = `; from ${pagesOrigin} it read the comparison across origins (CORS)`;
  }
  if (offOrigin.length) await fail(`${offOrigin.length} request(s) tried to leave ${ORIGIN}`);
  if (errors.length) await fail(`${errors.length} error(s) in the page`);
  console.log(
    `PASS dashboard: ${ORIGIN}/dashboard/ showed region Y61 live offline in Chromium ${browser.version()}; ` +
      `${ICB}'s places moved from ${before} to ${before + 1} after a change${across} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  await browser.close();
  process.exit(0);
} catch (e) {
  await fail(e.message.split('\n')[0]);
}
