// The benchmark driver (see BENCHMARKS.md; started by bench/run, which starts the servers).
//
// For each view: checks that the PostGraphile twin returns the same data as rotagraph (normalised to
// the same rows), then for each client count drives rotagraph on PostgreSQL, rotagraph on SQLite and
// PostGraphile with autocannon over loopback, and the view's single hand-written SQL statement with
// pgbench (the database-alone floor). It prints one table per backend: requests per second, p50 and
// p99 latency, SQL statements per request (PostgreSQL, from pg_stat_statements), CPU milliseconds per
// request and peak RSS of the server process, and the ratios to PostGraphile and to the floor.

import autocannon from "autocannon";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { views } from "./views.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, index, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[index + 1]]);
    return pairs;
  }, []),
);
const duration = Number(args.duration ?? 10);
const clientCounts = String(args.clients ?? "1,16,64").split(",").map(Number);
const only = new Set(String(args.views ?? "").split(",").filter(Boolean));
const token = args.token;
const work = mkdtempSync(join(tmpdir(), "rotagraph-bench-sql-"));

const backends = [
  { name: "rotagraph (PostgreSQL)", url: args["rotagraph-pg"], pid: args["rotagraph-pg-pid"], kind: "rotagraph", postgres: true },
  { name: "rotagraph (SQLite)", url: args["rotagraph-sqlite"], pid: args["rotagraph-sqlite-pid"], kind: "rotagraph", postgres: false },
  { name: "PostGraphile v5 (PostgreSQL)", url: args.postgraphile, pid: args["postgraphile-pid"], kind: "postgraphile", postgres: true },
];

async function post(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** The caller of a request: national, or an ICB administrator for requests marked `admin` (mutations). */
const auth = (backend, request = {}) =>
  backend.kind === "rotagraph" ? { authorization: `Bearer ${request.admin ? args["admin-token"] : token}` } : {};

/** The body of one request: a fresh one each time for requests that vary (mutations), with `each`. */
const bodyOf = (request) => (request.each ? request.each() : { query: request.query, variables: request.variables });

async function graphql(backend, request) {
  const answer = await post(backend.url, bodyOf(request), auth(backend, request));
  if (answer.errors) throw new Error(`${backend.name}: ${JSON.stringify(answer.errors).slice(0, 500)}`);
  return answer.data;
}

async function waitFor(backend) {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    try {
      await graphql(backend, { query: "{ __typename }" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${backend.name} did not start`);
}

/** A small query that reads the database, for [`settle`]. */
const probe = (backend) =>
  backend.kind === "rotagraph" ? "{ organisations(first: 1) { nodes { odsCode } } }" : "{ allOrganisations(first: 1) { nodes { odsCode } } }";

/** Waits until `backend` answers a small database read quickly again: requests of the last run (a slow
 * report) may still hold its connections. */
async function settle(backend) {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const started = performance.now();
    try {
      await graphql(backend, { query: probe(backend) });
      if (performance.now() - started < 50) return;
    } catch {
      // still busy
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function psql(sql) {
  return execFileSync(args.psql, ["-X", "-A", "-t", "-q", "-c", sql, args["pg-url"]], { encoding: "utf8" }).trim();
}

const statementsSoFar = () => Number(psql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements") || 0);

function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 per second)
}

function rssKiB(pid, field = "VmRSS") {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((entry) => entry.startsWith(field));
  return line ? Number(line.split(/\s+/)[1]) : 0;
}

async function load(backend, request, connections) {
  let peak = rssKiB(backend.pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKiB(backend.pid));
  }, 100);
  const [ticks, statements] = [cpuTicks(backend.pid), backend.postgres ? statementsSoFar() : 0];
  const result = await autocannon({
    url: backend.url,
    method: "POST",
    headers: { "content-type": "application/json", ...auth(backend, request) },
    body: JSON.stringify(bodyOf(request)),
    // A request that varies gets a fresh body each time it is sent.
    ...(request.each ? { requests: [{ setupRequest: (sent) => ({ ...sent, body: JSON.stringify(request.each()) }) }] } : {}),
    connections,
    duration,
  });
  clearInterval(sampler);
  const requests = result.requests.total || 1;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
    statements: backend.postgres ? (statementsSoFar() - statements - 1) / requests : null,
    cpuMs: ((cpuTicks(backend.pid) - ticks) * 10) / requests,
    peakMiB: peak / 1024,
  };
}

function floor(view, sql, clients) {
  const file = join(work, `${view}.sql`);
  writeFileSync(file, `${sql.trim().replace(/;$/, "")};\n`);
  const output = execFileSync(
    args.pgbench,
    ["-n", "-c", String(clients), "-j", String(Math.min(clients, 2)), "-T", String(duration), "-f", file, args["pg-url"]],
    { encoding: "utf8" },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 0);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(output)?.[1] ?? 0);
  return { rps: tps, p50: latency, p99: null };
}

const fixed = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? "-" : value.toFixed(digits));

/** Checks one view's answers, then measures it at every client count (appending to `rows`). */
async function measureView(view, rotagraph, rows) {
  for (const backend of backends) await settle(backend);
  const setup = view.setup ? await view.setup((request) => graphql(rotagraph, request), psql) : {};
  const requests = {
    rotagraph: view.rotagraph(setup),
    postgraphile: view.postgraphile ? view.postgraphile(setup) : null,
  };
  // The same data from every backend that serves the view.
  const expected = view.normalise.rotagraph(await graphql(rotagraph, requests.rotagraph));
  const sqliteAnswer = view.normalise.rotagraph(await graphql(backends[1], requests.rotagraph));
  const same = { "rotagraph (SQLite)": JSON.stringify(sqliteAnswer) === JSON.stringify(expected) };
  if (requests.postgraphile) {
    const twin = view.normalise.postgraphile(await graphql(backends[2], requests.postgraphile));
    same["PostGraphile v5 (PostgreSQL)"] = JSON.stringify(twin) === JSON.stringify(expected);
  }
  const sql = view.floor ? view.floor(setup) : null;
  process.stderr.write(`${view.name}: ${expected.length} rows; same data: ${JSON.stringify(same)}\n`);
  for (const clients of clientCounts) {
    const results = {};
    for (const backend of backends) {
      await settle(backend);
      const request = backend.kind === "rotagraph" ? requests.rotagraph : requests.postgraphile;
      if (!request) continue;
      results[backend.name] = await load(backend, request, clients);
    }
    const floorResult = sql ? floor(view.name, sql, clients) : null;
    rows.push({ view: view.name, clients, results, floor: floorResult, same });
    process.stderr.write(`  ${clients} clients done\n`);
  }
  }

async function main() {
  for (const backend of backends) await waitFor(backend);
  const rotagraph = backends[0];
  const rows = [];
  const problems = [];
  for (const view of views) {
    if (only.size && !only.has(view.name)) continue;
    try {
      await measureView(view, rotagraph, rows);
    } catch (error) {
      problems.push(`${view.name}: ${error.message}`);
      process.stderr.write(`${view.name} failed: ${error.message}\n`);
    }
  }

  for (const backend of backends) {
    console.log(`\n### ${backend.name}\n`);
    console.log("| view | clients | req/s | p50 ms | p99 ms | SQL/req | CPU ms/req | peak RSS MiB | × PostGraphile | × floor | failed | same data |");
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const row of rows) {
      const result = row.results[backend.name];
      if (!result) continue;
      const rival = row.results["PostGraphile v5 (PostgreSQL)"];
      const versus = rival && backend.kind === "rotagraph" ? result.rps / rival.rps : null;
      const toFloor = row.floor && backend.postgres ? result.rps / row.floor.rps : null;
      const same = backend === rotagraph ? "reference" : String(row.same[backend.name] ?? "-");
      console.log(
        `| ${row.view} | ${row.clients} | ${fixed(result.rps, 0)} | ${fixed(result.p50)} | ${fixed(result.p99)} | ` +
          `${fixed(result.statements)} | ${fixed(result.cpuMs, 2)} | ${fixed(result.peakMiB, 0)} | ${fixed(versus, 2)} | ` +
          `${fixed(toFloor, 2)} | ${result.failed} | ${same} |`,
      );
    }
  }
  console.log("\n### database-alone floor (pgbench, one hand-written statement per view)\n");
  console.log("| view | clients | statements/s | average latency ms |");
  console.log("| --- | --- | --- | --- |");
  for (const row of rows) {
    if (row.floor) console.log(`| ${row.view} | ${row.clients} | ${fixed(row.floor.rps, 0)} | ${fixed(row.floor.p50, 2)} |`);
  }
  for (const problem of problems) console.log(`\nnot measured: ${problem}`);
  for (const backend of backends) {
    console.log(`\n${backend.name}: peak RSS over the whole run ${fixed(rssKiB(backend.pid, "VmHWM") / 1024, 0)} MiB`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
