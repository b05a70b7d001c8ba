// GraphiQL works offline: `node .ci/browser/graphiql.mjs http://127.0.0.1:PORT`
//
// Opens BASE/graphql in Debian's headless Chromium (/usr/bin/chromium, or $CHROMIUM) with no network
// beyond loopback, waits for GraphiQL to render, types a header into the headers editor, runs an `icbs`
// query with the run button and waits for an ICB ODS code (Q..) in the result pane. Fails on any request
// that tries to leave the server's origin, any console error or page error, any HTTP error, a header
// that did not go with the query, or after 60 s overall.
// Then, with GRAPHIQL_TOKEN's token typed into the headers editor as Authorization, runs a subscription:
// the graphql-ws `connection_init` must carry that Authorization, and the first event must show.
// GRAPHIQL_SCREENSHOT=PATH saves a screenshot of the page at the end (pass or fail).
import { launchOffline, watchedPage } from './offline.mjs';

const BASE = process.argv[2];
if (!BASE) {
  console.error('usage: graphiql.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const ORIGIN = new URL(BASE).origin;
const PAGE_URL = `${ORIGIN}/graphql`;
const QUERY = '{ icbs { odsCode name } }';
const HEADERS = '{"X-GraphiQL-Check": "offline"}'; // typed into the headers editor; must reach the server
const ODS_CODE = /^Q[A-Z0-9]{2}$/; // the demo's ICBs include Q.. codes such as QOX
const TIMEOUT_MS = 55_000; // for the check itself; the report and clean-up take at most REPORT_MS more
const REPORT_MS = 5_000;
const SCREENSHOT = process.env.GRAPHIQL_SCREENSHOT;
const TOKEN = process.env.GRAPHIQL_TOKEN;
const SUBSCRIPTION = 'subscription { fillRateChanged(groupBy: ICB) { group { code } placesOffered } }';
if (!TOKEN) {
  console.error('GRAPHIQL_TOKEN must hold a token for the subscription step');
  process.exit(2);
}

const started = Date.now();
const left = () => Math.max(1, TIMEOUT_MS - (Date.now() - started));
const offOrigin = []; // requests (and WebSockets) that tried to leave the server's origin
const errors = []; // console errors, page errors, HTTP errors, failed requests
let browser;
let page;
let finished = false;
let step = 'launching Chromium'; // what the check is doing, for a failure report

// At most `ms` for a step of the report or the clean-up, which must not hang on a stuck page.
const bounded = (promise, ms, fallback) =>
  Promise.race([promise.catch((e) => `${fallback} (${e.message.split('\n')[0]})`), new Promise((r) => setTimeout(r, ms, fallback))]);

async function finish(ok, message) {
  if (finished) return;
  finished = true;
  clearTimeout(deadline);
  setTimeout(() => process.exit(ok ? 0 : 1), REPORT_MS).unref(); // whatever still hangs below
  if (page && SCREENSHOT) await bounded(page.screenshot({ path: SCREENSHOT }), 2_000, 'no screenshot');
  if (!ok) {
    console.error(`FAIL graphiql: ${message} (while ${step})`);
    if (offOrigin.length) console.error(`requests off the server's origin:\n  ${offOrigin.join('\n  ')}`);
    if (errors.length) console.error(`errors:\n  ${errors.join('\n  ')}`);
    if (page) {
      const text = await bounded(page.evaluate(() => document.body?.innerText ?? ''), 1_000, '(page text unreadable)');
      console.error(`page ${page.url()}, text:\n${excerpt(text)}`);
    }
  }
  if (ok) console.log(message);
  await bounded(browser?.close() ?? Promise.resolve(), 1_500, null);
  process.exit(ok ? 0 : 1);
}

const excerpt = (text, max = 1500) => {
  const flat = String(text).replace(/\n{3,}/g, '\n\n').trim();
  return flat.length > max ? `${flat.slice(0, max)} [...]` : flat;
};

const deadline = setTimeout(() => finish(false, `not done within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);

try {
  browser = await launchOffline(left());
  step = 'opening a page that refuses every request off the server\'s origin';
  page = await watchedPage(browser, ORIGIN, offOrigin, errors, TIMEOUT_MS);

  step = `loading ${PAGE_URL}`;
  const response = await page.goto(PAGE_URL, { waitUntil: 'load', timeout: left() });
  const type = response?.headers()['content-type'] ?? '';
  if (response?.status() !== 200 || !type.startsWith('text/html')) {
    await finish(false, `GET ${PAGE_URL} answered ${response?.status()} ${type}, not 200 text/html`);
  }
  const title = await page.title();
  if (title !== 'rotagraph GraphiQL') await finish(false, `page title ${JSON.stringify(title)}, not "rotagraph GraphiQL"`);

  step = 'waiting for GraphiQL to render its editors and run button';
  // GraphiQL 4 renders CodeMirror 5 editors; the run button is .graphiql-execute-button.
  const runButton = page.locator('.graphiql-execute-button');
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ state: 'visible', timeout: left() });
  await runButton.waitFor({ state: 'visible', timeout: left() });
  // The headers editor is open, for a pasted {"Authorization": "Bearer ..."}.
  await page.locator('.graphiql-editor-tools button.active[data-name="headers"]').waitFor({ timeout: left() });
  await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').waitFor({ timeout: left() });

  step = 'setting the query and headers editors';
  const typed = await page.evaluate(
    ([query, headers]) => {
      const queryEditor = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
      const headersEditor = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror;
      queryEditor.setValue(query);
      headersEditor.setValue(headers);
      return queryEditor.getValue();
    },
    [QUERY, HEADERS],
  );
  if (typed !== QUERY) await finish(false, `the query editor holds ${JSON.stringify(typed)}`);

  step = 'running the query';
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url() === PAGE_URL && (r.postData() ?? '').includes('icbs'), {
    timeout: left(),
  });
  await runButton.click({ timeout: left() });
  const header = (await sent).headers()['x-graphiql-check'];
  if (header !== 'offline') await finish(false, `the run's POST /graphql carried x-graphiql-check: ${header}, not the headers editor's "offline"`);
  step = 'waiting for an ICB in the result pane';
  const resultPane = page.locator('.graphiql-response');
  const code = await page
    .waitForFunction(
      (pattern) => {
        const editor = document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror;
        let result;
        try {
          result = JSON.parse(editor?.getValue() ?? '');
        } catch {
          return null;
        }
        const codes = (result?.data?.icbs ?? []).map((icb) => icb.odsCode);
        return codes.find((c) => new RegExp(pattern).test(c)) ?? null;
      },
      ODS_CODE.source,
      { timeout: left(), polling: 100 },
    )
    .then((handle) => handle.jsonValue());
  const shown = await resultPane.innerText({ timeout: left() });
  if (!shown.includes(code)) await finish(false, `the result pane does not show ${code}: ${excerpt(shown, 500)}`);

  step = 'running a subscription with the headers editor\'s Authorization';
  const authorization = `Bearer ${TOKEN}`;
  const initPayload = new Promise((resolve) => {
    page.on('websocket', (ws) =>
      ws.on('framesent', (frame) => {
        try {
          const message = JSON.parse(String(frame.payload));
          if (message.type === 'connection_init') resolve(message.payload ?? {});
        } catch {
          // not a JSON frame
        }
      }),
    );
  });
  await page.evaluate(
    ([query, headers]) => {
      document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(query);
      document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror.setValue(headers);
    },
    [SUBSCRIPTION, JSON.stringify({ Authorization: authorization })],
  );
  // GraphiQL reads the operation's type from the editor's parsed document, updated just after an edit.
  await page.waitForTimeout(500);
  await runButton.click({ timeout: left() });
  const payload = await Promise.race([initPayload, new Promise((r) => setTimeout(r, left(), null))]);
  if (!payload) await finish(false, 'the subscription opened no graphql-ws connection');
  const sentAuthorization = Object.entries(payload).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (sentAuthorization !== authorization) {
    await finish(false, `connection_init carried ${JSON.stringify(payload)}, not the headers editor's Authorization`);
  }
  step = 'waiting for the subscription\'s first event in the result pane';
  await page.waitForFunction(
    () => {
      const editor = document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror;
      try {
        const rows = JSON.parse(editor?.getValue() ?? '')?.data?.fillRateChanged ?? [];
        return rows.length > 0 && rows.every((row) => Number.isInteger(row.placesOffered));
      } catch {
        return false;
      }
    },
    null,
    { timeout: left(), polling: 100 },
  );

  if (offOrigin.length) await finish(false, `${offOrigin.length} request(s) tried to leave ${ORIGIN}`);
  if (errors.length) await finish(false, `${errors.length} error(s) in the page`);
  await finish(
    true,
    `PASS graphiql: ${PAGE_URL} rendered GraphiQL offline in Chromium ${browser.version()}, ran ${QUERY} ` +
      `and showed ICB ${code}, then ran a subscription with the token in connection_init ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} catch (e) {
  await finish(false, e.message.split('\n')[0]);
}
