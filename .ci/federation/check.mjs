// Federation check: composes a running rotagraph with a small second subgraph ("commissioning") behind
// a real Apollo Gateway, and asserts queries that cross them for several callers.
//
//   node check.mjs ROTAGRAPH_URL        (e.g. http://127.0.0.1:8080/graphql; a bare origin gets /graphql)
//   env: TOKEN_NATIONAL, TOKEN_ICB_VIEWER, ICB_VIEWER_ICB (the viewer's ICB ODS code),
//        TOKEN_REPORTER (optional: adds the reporter's assertions)
//
// In this process, on free loopback ports: the commissioning subgraph (@apollo/subgraph), which extends
// rotagraph's Icb (commissioningPlan) and Pharmacist (mentorNotes) and returns references into rotagraph
// (Query.placementsToReview); and Apollo Gateway (IntrospectAndCompose over both) under Apollo Server,
// forwarding the caller's Authorization header to rotagraph only. Its fixtures (ICBs, one pharmacist in
// the viewer's ICB, one outside it) come from rotagraph itself, read as the national reader.
//
// The commissioning subgraph references rotagraph entities by the keys of the newer build when rotagraph
// declares them (Icb by id, Pharmacist by gphcNumber), otherwise by the older ones (Icb by odsCode,
// Pharmacist by id); the check requires the newer keys, and so fails (after running everything else) on
// a rotagraph without them. It also requires _entities to answer a malformed representation with null
// and an error at ["_entities", index] instead of blanking its siblings.
//
// One line per assertion ("ok" or "FAIL" with what differed), then "federation: N passed, M failed".
// Exits 1 on any failure.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { composeServices } from '@apollo/composition';
import { parse, print, Kind } from 'graphql';
import { isDeepStrictEqual } from 'node:util';

const DEADLINE_MS = 55_000;
const REQUEST_TIMEOUT_MS = 15_000;
const started = Date.now();

// ---------------------------------------------------------------- arguments

function usage(message) {
  console.error(`check.mjs: ${message}`);
  console.error('usage: TOKEN_NATIONAL=... TOKEN_ICB_VIEWER=... ICB_VIEWER_ICB=ODS node check.mjs ROTAGRAPH_URL');
  process.exit(2);
}
if (!process.argv[2]) usage('missing ROTAGRAPH_URL');
const ROTAGRAPH = new URL(process.argv[2]);
if (ROTAGRAPH.pathname === '/' || ROTAGRAPH.pathname === '') ROTAGRAPH.pathname = '/graphql';
const ROTAGRAPH_URL = ROTAGRAPH.href;
const TOKENS = {
  national: process.env.TOKEN_NATIONAL,
  viewer: process.env.TOKEN_ICB_VIEWER,
  reporter: process.env.TOKEN_REPORTER || undefined,
};
const VIEWER_ICB = process.env.ICB_VIEWER_ICB;
if (!TOKENS.national) usage('TOKEN_NATIONAL is not set');
if (!TOKENS.viewer) usage('TOKEN_ICB_VIEWER is not set');
if (!VIEWER_ICB) usage('ICB_VIEWER_ICB is not set');

// ---------------------------------------------------------------- assertions

let passed = 0;
let failed = 0;
const show = (value) => JSON.stringify(value);

function ok(name) {
  passed += 1;
  console.log(`ok   ${name}`);
}
function fail(name, detail) {
  failed += 1;
  console.log(`FAIL ${name}`);
  for (const line of detail.split('\n')) console.log(`       ${line}`);
}
function expectEqual(name, actual, expected) {
  if (isDeepStrictEqual(actual, expected)) ok(name);
  else fail(name, `expected: ${show(expected)}\nactual:   ${show(actual)}`);
}
function info(message) {
  console.log(`# ${message}`);
}

// Errors as [path, code], in path order: what the assertions compare.
function errorShapes(body) {
  return (body.errors ?? [])
    .map((error) => [error.path ?? null, error.extensions?.code ?? null])
    .sort((a, b) => show(a).localeCompare(show(b)));
}

// ---------------------------------------------------------------- HTTP

async function post(url, query, variables, token) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${url} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
}

// A query that must succeed: its data, or an exception naming the errors.
async function data(url, query, variables, token) {
  const body = await post(url, query, variables, token);
  if (body.errors?.length || !body.data) {
    throw new Error(`fixture query failed: ${query.replace(/\s+/g, ' ').slice(0, 120)}: ${show(body.errors ?? body)}`);
  }
  return body.data;
}

// ---------------------------------------------------------------- processes to stop at the end

const stoppers = [];
async function stopAll() {
  for (const stop of stoppers.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.log(`# while stopping: ${error.message}`);
    }
  }
  stoppers.length = 0;
}
const deadline = setTimeout(async () => {
  fail('whole check within the deadline', `still running after ${DEADLINE_MS / 1000} s`);
  console.log(`federation: ${passed} passed, ${failed} failed`);
  await Promise.race([stopAll(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

// ---------------------------------------------------------------- rotagraph's schema and the keys it offers

// The fields of each @key of a type, and the printed type of its fields, from a subgraph SDL.
function describeTypes(sdl) {
  const types = {};
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const keys = (definition.directives ?? [])
      .filter((directive) => directive.name.value === 'key')
      .map((directive) => directive.arguments.find((argument) => argument.name.value === 'fields')?.value.value);
    const fields = Object.fromEntries((definition.fields ?? []).map((field) => [field.name.value, print(field.type)]));
    types[definition.name.value] = { keys, fields };
  }
  return types;
}

async function main() {
  info(`node ${process.version}; rotagraph at ${ROTAGRAPH_URL}; viewer's ICB ${VIEWER_ICB}`);

  const sdl = (await data(ROTAGRAPH_URL, '{ _service { sdl } }'))._service.sdl;
  const types = describeTypes(sdl);
  for (const type of ['Icb', 'Pharmacist']) {
    if (!types[type]) throw new Error(`rotagraph's _service { sdl } has no type ${type}`);
  }
  info(`rotagraph keys: Icb ${show(types.Icb.keys)}, Pharmacist ${show(types.Pharmacist.keys)}`);
  const NEW_KEYS = types.Icb.keys.includes('id') && types.Pharmacist.keys.includes('gphcNumber');
  if (NEW_KEYS) ok('rotagraph declares Icb @key(fields: "id") and Pharmacist @key(fields: "gphcNumber")');
  else {
    fail(
      'rotagraph declares Icb @key(fields: "id") and Pharmacist @key(fields: "gphcNumber")',
      `rotagraph declares Icb keys ${show(types.Icb.keys)} and Pharmacist keys ${show(types.Pharmacist.keys)};\n` +
        'this check needs the build with the new keys. The rest runs with Icb by odsCode and Pharmacist by id.',
    );
    if (!types.Icb.keys.includes('odsCode') || !types.Pharmacist.keys.includes('id')) {
      throw new Error('rotagraph declares neither the new keys nor Icb @key(fields: "odsCode") and Pharmacist @key(fields: "id")');
    }
  }
  // The key each commissioning type uses, with rotagraph's own type for the key field (a custom scalar
  // is declared alike in the commissioning subgraph).
  const icbKey = NEW_KEYS ? 'id' : 'odsCode';
  const pharmacistKey = NEW_KEYS ? 'gphcNumber' : 'id';
  const icbKeyType = types.Icb.fields[icbKey];
  const pharmacistKeyType = types.Pharmacist.fields[pharmacistKey];
  info(`commissioning references Icb by ${icbKey}: ${icbKeyType}, Pharmacist by ${pharmacistKey}: ${pharmacistKeyType}`);

  // ------------------------------------------------------------ fixtures, read from rotagraph directly

  const icbs = (await data(ROTAGRAPH_URL, '{ icbs { id odsCode name } }', {}, TOKENS.national)).icbs;
  const viewerIcb = (
    await data(ROTAGRAPH_URL, 'query($icb: OdsCode!) { icb(odsCode: $icb) { id odsCode name } }', { icb: VIEWER_ICB }, TOKENS.national)
  ).icb;
  if (!viewerIcb) throw new Error(`rotagraph has no ICB ${VIEWER_ICB} (ICB_VIEWER_ICB)`);

  const pharmacistFields = 'id gphcNumber givenName familyName';
  const inside = await data(
    ROTAGRAPH_URL,
    `query($icb: OdsCode!) { placements(first: 1, filter: {hostIcb: {eq: $icb}}) { nodes { pharmacist { ${pharmacistFields} } } } }`,
    { icb: VIEWER_ICB },
    TOKENS.national,
  );
  const pharmacistIn = inside.placements.nodes[0]?.pharmacist;
  if (!pharmacistIn) throw new Error(`no placement hosted in ${VIEWER_ICB}: pick an ICB_VIEWER_ICB with placements`);

  const outside = await data(
    ROTAGRAPH_URL,
    `query($icb: OdsCode!) { placements(first: 100, filter: {not: {hostIcb: {eq: $icb}}}) {
       nodes { hostIcb { id odsCode name } pharmacist { ${pharmacistFields} } } } }`,
    { icb: VIEWER_ICB },
    TOKENS.national,
  );
  const candidates = outside.placements.nodes.filter((node) => node.pharmacist && node.hostIcb);
  const candidateIds = [...new Set(candidates.map((node) => node.pharmacist.id))];
  const seenByViewer = await data(
    ROTAGRAPH_URL,
    'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
    { ids: [pharmacistIn.id, ...candidateIds] },
    TOKENS.viewer,
  );
  const visibleToViewer = new Set(seenByViewer.nodes.filter(Boolean).map((node) => node.id));
  const elsewhere = candidates.find((node) => !visibleToViewer.has(node.pharmacist.id));
  if (!elsewhere) throw new Error(`every pharmacist placed outside ${VIEWER_ICB} (first 100 placements) is visible to its viewer`);
  const pharmacistOut = elsewhere.pharmacist;
  const otherIcb = elsewhere.hostIcb;
  if (!pharmacistIn.gphcNumber || !pharmacistOut.gphcNumber) throw new Error('a fixture pharmacist has no GPhC number');
  expectEqual(
    `fixture: the viewer of ${VIEWER_ICB} sees the pharmacist placed there and not the one placed in ${otherIcb.odsCode} (direct)`,
    [visibleToViewer.has(pharmacistIn.id), visibleToViewer.has(pharmacistOut.id)],
    [true, false],
  );

  // ------------------------------------------------------------ the commissioning subgraph

  const planFor = (odsCode) => `2027/28 community pharmacy commissioning plan (${odsCode})`;
  // Every ICB has a plan: today's (icbs) and the fixtures' (either may be dissolved).
  const icbByKey = new Map(
    [...icbs, viewerIcb, otherIcb].flatMap((icb) => [[`id:${icb.id}`, icb], [`odsCode:${icb.odsCode}`, icb]]),
  );
  const icbRef = (icb) => ({ __typename: 'Icb', [icbKey]: icb[icbKey] });
  const reviewees = [
    { pharmacist: pharmacistIn, icb: viewerIcb, notes: 'Mentor notes: first review, in the viewer ICB' },
    { pharmacist: pharmacistOut, icb: otherIcb, notes: 'Mentor notes: second review, outside the viewer ICB' },
  ];
  const notesByKey = new Map(reviewees.map((r) => [r.pharmacist[pharmacistKey], r.notes]));
  const pharmacistRef = (pharmacist) => ({ __typename: 'Pharmacist', [pharmacistKey]: pharmacist[pharmacistKey] });
  // A reference rotagraph cannot resolve (BAD_USER_INPUT): a null GPhC number, or an id that is none.
  const badPharmacistRef = { __typename: 'Pharmacist', [pharmacistKey]: NEW_KEYS ? null : 'not-an-id' };
  const reviews = reviewees.map((r, index) => ({
    note: `review ${index + 1}`,
    icb: icbRef(r.icb),
    pharmacist: pharmacistRef(r.pharmacist),
  }));
  const reviewsWithBadReference = [reviews[0], { note: 'malformed reference', icb: icbRef(viewerIcb), pharmacist: badPharmacistRef }, reviews[1]];

  // Declares rotagraph's custom scalars used by the key fields (not String/ID).
  const customScalars = [...new Set([icbKeyType, pharmacistKeyType].map((t) => t.replace(/[![\]]/g, '')))].filter(
    (name) => !['String', 'ID', 'Int', 'Float', 'Boolean'].includes(name),
  );
  const commissioningSdl = `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
    ${customScalars.map((name) => `scalar ${name}`).join('\n')}
    type Query {
      "Placements the commissioning team is reviewing: references into rotagraph."
      placementsToReview: [Review!]!
      "The same with a malformed pharmacist reference in the middle."
      reviewsWithOneBadReference: [Review!]!
    }
    type Review { note: String! icb: Icb! pharmacist: Pharmacist }
    type Icb @key(fields: "${icbKey}") { ${icbKey}: ${icbKeyType} commissioningPlan: String }
    type Pharmacist @key(fields: "${pharmacistKey}") { ${pharmacistKey}: ${pharmacistKeyType} mentorNotes: String }
  `;
  const commissioningAuthorizations = [];
  const commissioning = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema({
      typeDefs: parse(commissioningSdl),
      resolvers: {
        Query: { placementsToReview: () => reviews, reviewsWithOneBadReference: () => reviewsWithBadReference },
        Icb: {
          __resolveReference: (reference) => reference,
          commissioningPlan: (icb) => {
            const known = icbByKey.get(`${icbKey}:${icb[icbKey]}`);
            return known ? planFor(known.odsCode) : null;
          },
        },
        Pharmacist: {
          __resolveReference: (reference) => reference,
          mentorNotes: (pharmacist) => notesByKey.get(pharmacist[pharmacistKey]) ?? null,
        },
      },
    }),
  });
  const { url: commissioningUrl } = await startStandaloneServer(commissioning, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => {
      commissioningAuthorizations.push(req.headers.authorization ?? null);
      return {};
    },
  });
  stoppers.push(() => commissioning.stop());
  info(`commissioning subgraph at ${commissioningUrl}`);

  // Composition hints and errors, from the same SDLs the gateway composes.
  const composed = composeServices([
    { name: 'rotagraph', url: ROTAGRAPH_URL, typeDefs: parse(sdl) },
    { name: 'commissioning', url: commissioningUrl, typeDefs: parse(commissioningSdl) },
  ]);
  expectEqual('rotagraph and commissioning compose without errors', (composed.errors ?? []).map((e) => e.message), []);
  info(`composition: ${(composed.hints ?? []).length} hints`);
  for (const hint of composed.hints ?? []) info(`composition hint ${hint.definition.code}: ${hint.message}`);

  // ------------------------------------------------------------ the gateway

  const toRotagraph = []; // what the gateway sent to rotagraph: { authorization, representations }
  const gatewayLog = [];
  const logger = {
    debug() {},
    info() {},
    warn: (message) => gatewayLog.push(`warn: ${message}`),
    error: (message) => gatewayLog.push(`error: ${message}`),
  };
  const gateway = new ApolloGateway({
    logger,
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: [
        { name: 'rotagraph', url: ROTAGRAPH_URL },
        { name: 'commissioning', url: commissioningUrl },
      ],
    }),
    buildService({ name, url }) {
      return new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request, context }) {
          if (name !== 'rotagraph') return;
          if (context?.authorization) request.http.headers.set('authorization', context.authorization);
          toRotagraph.push({
            authorization: context?.authorization ?? null,
            representations: request.variables?.representations ?? null,
          });
        },
      });
    },
  });
  const gatewayServer = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
  const { url: gatewayUrl } = await startStandaloneServer(gatewayServer, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  stoppers.push(() => gatewayServer.stop());
  info(`gateway at ${gatewayUrl}`);
  for (const line of gatewayLog) info(`gateway ${line}`);

  // ------------------------------------------------------------ queries through the gateway

  const callers = [
    ['anonymous', undefined],
    [`icb_viewer ${VIEWER_ICB}`, TOKENS.viewer],
    ['national', TOKENS.national],
  ];
  if (TOKENS.reporter) callers.push(['reporter', TOKENS.reporter]);

  const personalOf = (pharmacist) => ({ givenName: pharmacist.givenName, familyName: pharmacist.familyName });
  const hidden = { givenName: null, familyName: null };
  const forbiddenAt = (prefix) => [
    [[...prefix, 'familyName'], 'FORBIDDEN'],
    [[...prefix, 'givenName'], 'FORBIDDEN'],
  ];

  // What each caller sees of the two reviewed pharmacists through rotagraph: its names, or null
  // names, and the errors (path, code) that come with them.
  // With the new keys, a lookup by GPhC number (personal data) is itself refused to readers without
  // access to personal data: FORBIDDEN at the entity. By id, anonymous callers find no pharmacist (a
  // null entity, no error) and reporters find the row with its personal fields refused.
  function expectedPeople(caller, pathOf) {
    const refusedLookups = [
      [pathOf(0), 'FORBIDDEN'],
      [pathOf(1), 'FORBIDDEN'],
    ];
    switch (caller) {
      case 'national':
        return { people: [personalOf(pharmacistIn), personalOf(pharmacistOut)], errors: [] };
      case 'reporter':
        return {
          people: [hidden, hidden],
          errors: NEW_KEYS ? refusedLookups : [...forbiddenAt(pathOf(0)), ...forbiddenAt(pathOf(1))],
        };
      case 'anonymous':
        return { people: [hidden, hidden], errors: NEW_KEYS ? refusedLookups : [] };
      default: // the viewer: its own ICB's pharmacist, a null entity (no error) for the other
        return { people: [personalOf(pharmacistIn), hidden], errors: [] };
    }
  }

  for (const [caller, token] of callers) {
    const before = toRotagraph.length;

    // rotagraph -> commissioning: every ICB with its plan.
    const icbList = await post(gatewayUrl, '{ icbs { odsCode name commissioningPlan } }', {}, token);
    expectEqual(
      `${caller}: icbs { odsCode name commissioningPlan } (rotagraph -> commissioning), ${icbs.length} ICBs`,
      { data: icbList.data, errors: errorShapes(icbList) },
      { data: { icbs: icbs.map((icb) => ({ odsCode: icb.odsCode, name: icb.name, commissioningPlan: planFor(icb.odsCode) })) }, errors: [] },
    );

    // commissioning -> rotagraph: the reviews' ICBs and pharmacists.
    const review = await post(
      gatewayUrl,
      '{ placementsToReview { note icb { odsCode name commissioningPlan } pharmacist { givenName familyName mentorNotes } } }',
      {},
      token,
    );
    const expected = expectedPeople(caller, (index) => ['placementsToReview', index, 'pharmacist']);
    expectEqual(
      `${caller}: placementsToReview { icb { name } pharmacist { givenName familyName mentorNotes } } (commissioning -> rotagraph)`,
      { data: review.data, errors: errorShapes(review) },
      {
        data: {
          placementsToReview: reviewees.map((r, index) => ({
            note: `review ${index + 1}`,
            icb: { odsCode: r.icb.odsCode, name: r.icb.name, commissioningPlan: planFor(r.icb.odsCode) },
            pharmacist: { ...expected.people[index], mentorNotes: r.notes },
          })),
        },
        errors: expected.errors,
      },
    );

    // rotagraph -> commissioning on Pharmacist (the gateway reads the key from rotagraph).
    const nodes = await post(
      gatewayUrl,
      'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Pharmacist { familyName mentorNotes } } }',
      { ids: [pharmacistIn.id, pharmacistOut.id] },
      token,
    );
    const visibleNode = (r) => ({ familyName: r.pharmacist.familyName, mentorNotes: r.notes });
    // A reporter reads the rows but not their names; with the new keys not gphcNumber either, the key
    // the gateway needs to reach commissioning: the gateway sends it a null key (no mentorNotes) and
    // passes on rotagraph's FORBIDDEN for gphcNumber, a field the caller did not ask for.
    const reporterNodes = NEW_KEYS
      ? {
          data: { nodes: [{ familyName: null, mentorNotes: null }, { familyName: null, mentorNotes: null }] },
          errors: [0, 1].flatMap((i) => [
            [['nodes', i, 'familyName'], 'FORBIDDEN'],
            [['nodes', i, 'gphcNumber'], 'FORBIDDEN'],
          ]),
        }
      : {
          data: { nodes: reviewees.map((r) => ({ familyName: null, mentorNotes: r.notes })) },
          errors: [0, 1].map((i) => [['nodes', i, 'familyName'], 'FORBIDDEN']),
        };
    const expectedNodes = {
      national: { data: { nodes: reviewees.map(visibleNode) }, errors: [] },
      anonymous: { data: { nodes: [null, null] }, errors: [] },
      reporter: reporterNodes,
    }[caller] ?? { data: { nodes: [visibleNode(reviewees[0]), null] }, errors: [] };
    expectEqual(
      `${caller}: nodes(ids: [in, out]) { ... on Pharmacist { familyName mentorNotes } } (rotagraph -> commissioning)`,
      { data: nodes.data, errors: errorShapes(nodes) },
      expectedNodes,
    );

    // The caller's Authorization header reached rotagraph on every request the gateway made for it.
    const sent = toRotagraph.slice(before).map((request) => request.authorization);
    expectEqual(
      `${caller}: the gateway forwarded ${token ? "the caller's bearer token" : 'no Authorization header'} on each of its ${sent.length} requests to rotagraph`,
      sent.length > 0 && sent.every((authorization) => authorization === (token ? `Bearer ${token}` : null)),
      true,
    );
  }

  const keysSent = new Set(
    toRotagraph
      .flatMap((request) => request.representations ?? [])
      .map((representation) => `${representation.__typename} by ${Object.keys(representation).filter((k) => k !== '__typename').join(',')}`),
  );
  expectEqual(
    `${NEW_KEYS ? '' : ''}the gateway reached rotagraph's entities by Icb ${icbKey} and Pharmacist ${pharmacistKey}`,
    [...keysSent].sort(),
    [`Icb by ${icbKey}`, `Pharmacist by ${pharmacistKey}`],
  );
  expectEqual(
    'the commissioning subgraph never received an Authorization header',
    commissioningAuthorizations.filter((authorization) => authorization !== null),
    [],
  );

  // ------------------------------------------------------------ a malformed representation (new build)

  // Through the gateway: one malformed pharmacist reference among two good ones.
  const withBad = await post(
    gatewayUrl,
    '{ reviewsWithOneBadReference { note pharmacist { givenName familyName mentorNotes } } }',
    {},
    TOKENS.national,
  );
  expectEqual(
    'national: one malformed Pharmacist reference among three, through the gateway: BAD_USER_INPUT there, its siblings resolved',
    { data: withBad.data, errors: errorShapes(withBad) },
    {
      data: {
        reviewsWithOneBadReference: [
          { note: 'review 1', pharmacist: { ...personalOf(pharmacistIn), mentorNotes: reviewees[0].notes } },
          { note: 'malformed reference', pharmacist: { ...hidden, mentorNotes: null } },
          { note: 'review 2', pharmacist: { ...personalOf(pharmacistOut), mentorNotes: reviewees[1].notes } },
        ],
      },
      errors: [[['reviewsWithOneBadReference', 1, 'pharmacist'], 'BAD_USER_INPUT']],
    },
  );

  // Directly against rotagraph's _entities.
  const entitiesQuery = `query($representations: [_Any!]!) { _entities(representations: $representations) {
      __typename ... on Pharmacist { id givenName familyName } ... on Icb { id odsCode name } } }`;
  const pharmacistEntity = (p) => ({ __typename: 'Pharmacist', id: p.id, givenName: p.givenName, familyName: p.familyName });
  const icbEntity = (icb) => ({ __typename: 'Icb', ...icb });
  const malformed = await post(
    ROTAGRAPH_URL,
    entitiesQuery,
    {
      representations: [
        pharmacistRef(pharmacistIn),
        { __typename: 'Pharmacist', id: 'not-an-id' },
        icbRef(viewerIcb),
        { __typename: 'Pharmacist', id: pharmacistOut.id },
      ],
    },
    TOKENS.national,
  );
  expectEqual(
    'rotagraph _entities: a malformed representation is null with one error at ["_entities", 1], its siblings resolved',
    { data: malformed.data, errors: (malformed.errors ?? []).map((error) => error.path) },
    {
      data: { _entities: [pharmacistEntity(pharmacistIn), null, icbEntity(viewerIcb), pharmacistEntity(pharmacistOut)] },
      errors: [['_entities', 1]],
    },
  );

  // Every key, directly, for each caller: the new keys answer like the old ones, except that a lookup
  // by GPhC number (personal data) is refused (FORBIDDEN at its index) to readers without access to it.
  const byEveryKey = [
    [{ __typename: 'Icb', odsCode: otherIcb.odsCode }, 'icb'],
    ...(NEW_KEYS ? [[{ __typename: 'Icb', id: otherIcb.id }, 'icb']] : []),
    [{ __typename: 'Pharmacist', id: pharmacistIn.id }, 'in'],
    [{ __typename: 'Pharmacist', id: pharmacistOut.id }, 'out'],
    ...(NEW_KEYS
      ? [
          [{ __typename: 'Pharmacist', gphcNumber: pharmacistIn.gphcNumber }, 'in'],
          [{ __typename: 'Pharmacist', gphcNumber: pharmacistOut.gphcNumber }, 'out'],
        ]
      : []),
  ];
  const directCallers = [
    ['anonymous', undefined],
    [`icb_viewer ${VIEWER_ICB}`, TOKENS.viewer],
    ['national', TOKENS.national],
  ];
  if (TOKENS.reporter) directCallers.push(['reporter', TOKENS.reporter]);
  for (const [caller, token] of directCallers) {
    const expected = { data: { _entities: [] }, errors: [] };
    byEveryKey.forEach(([representation, which], index) => {
      const pharmacist = which === 'in' ? pharmacistIn : pharmacistOut;
      let entity;
      if (which === 'icb') entity = icbEntity(otherIcb);
      else if (caller === 'national') entity = pharmacistEntity(pharmacist);
      else if (caller.startsWith('icb_viewer')) entity = which === 'in' ? pharmacistEntity(pharmacist) : null;
      else if ('gphcNumber' in representation) {
        entity = null;
        expected.errors.push([['_entities', index], 'FORBIDDEN']);
      } else if (caller === 'reporter') {
        entity = { ...pharmacistEntity(pharmacist), ...hidden };
        expected.errors.push(...forbiddenAt(['_entities', index]));
      } else entity = null; // anonymous, by id: no pharmacist rows
      expected.data._entities.push(entity);
    });
    expected.errors.sort((a, b) => show(a).localeCompare(show(b)));
    const answer = await post(ROTAGRAPH_URL, entitiesQuery, { representations: byEveryKey.map(([r]) => r) }, token);
    expectEqual(
      `${NEW_KEYS ? '' : ''}${caller}: rotagraph _entities by ${NEW_KEYS ? 'Icb odsCode+id, Pharmacist id+gphcNumber' : 'Icb odsCode, Pharmacist id'} (direct)`,
      { data: answer.data, errors: errorShapes(answer) },
      expected,
    );
  }
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  fail('the check ran to its end', error.stack ?? String(error));
}
await stopAll();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed === 0 && passed > 0) {
  console.log(`# all federation assertions passed in ${seconds} s`);
} else {
  console.log(`# federation check FAILED in ${seconds} s`);
  exitCode = 1;
}
console.log(`federation: ${passed} passed, ${failed} failed`);
process.exit(exitCode);
