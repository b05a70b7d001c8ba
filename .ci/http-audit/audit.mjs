// The GraphQL-over-HTTP conformance audit of graphql-http, against a live server.
//
//   node audit.mjs http://127.0.0.1:PORT/graphql
//
// Runs every audit in turn and prints one line for each (status, name, and the reason when it is
// not ok), then the totals. Exits 1 unless every MUST and every SHOULD audit is ok (MAY audits are
// reported but do not fail the run), 2 on a usage error.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url || process.argv.length > 3) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

// Each request gets a deadline, so a server that never answers fails the audit instead of hanging CI.
const REQUEST_TIMEOUT_MS = 15_000;
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

const levels = ['MUST', 'SHOULD', 'MAY'];
const totals = Object.fromEntries(levels.map((level) => [level, { ok: 0, all: 0 }]));

const audits = serverAudits({ url, fetchFn });
for (const audit of audits) {
  const level = audit.name.split(' ', 1)[0];
  if (!totals[level]) throw new Error(`audit ${audit.id} has an unknown level: ${audit.name}`);
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    // graphql-http throws only on a fatal problem (for example, no connection): that is a failure.
    result = { status: 'error', reason: `threw: ${err?.cause?.message ?? err?.message ?? err}` };
  }
  totals[level].all += 1;
  if (result.status === 'ok') {
    totals[level].ok += 1;
    console.log(`ok     ${audit.name}`);
  } else {
    const http = result.response ? ` [HTTP ${result.response.status}]` : '';
    console.log(`${result.status.padEnd(6)} ${audit.name} (${audit.id})${http}: ${result.reason}`);
  }
}

const summary = levels.map((level) => `${level} ${totals[level].ok}/${totals[level].all}`);
console.log(summary.join(', '));

const failed = ['MUST', 'SHOULD'].some((level) => totals[level].ok !== totals[level].all);
if (failed) {
  console.log('graphql-http audit FAILED: every MUST and SHOULD audit must be ok');
  process.exit(1);
}
console.log('graphql-http audit passed');
