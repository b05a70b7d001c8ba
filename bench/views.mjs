// The benchmark's query mix: each view as rotagraph asks it, its PostGraphile v5 (amber) twin where
// PostGraphile can answer it, a normaliser per backend that reduces an answer to the same rows (ids as
// UUIDs, one tuple per row), and the database-alone floor: one hand-written statement that builds the
// same answer as JSON in PostgreSQL.

/** The UUID inside a rotagraph global id (`Type:uuid`, URL-safe base64). */
const uuid = (id) => Buffer.from(id, "base64url").toString("utf8").split(":")[1];
const sorted = (rows) => rows.map((row) => JSON.stringify(row)).sort().map((row) => JSON.parse(row));
const unique = (rows) => [...new Set(rows.map((row) => JSON.stringify(row)))].sort().map((row) => JSON.parse(row));

const PLACEMENT = `id startDate endDate sector host { odsCode name } pharmacist { gphcNumber familyName }
  membership { cohort { label programme { code name } } }`;
const PLACEMENT_TWIN = `rowId startDate endDate sector organisationByHostId { odsCode name }
  programmeMembershipByMembershipIdAndPharmacistId { pharmacistByPharmacistId { gphcNumber familyName }
    cohortByCohortId { label rotationProgrammeByProgrammeId { code name } } }`;
const placementRow = (node) => [
  uuid(node.id), node.startDate, node.endDate, node.sector, node.host.odsCode, node.host.name,
  node.pharmacist?.gphcNumber, node.pharmacist?.familyName, node.membership.cohort.label,
  node.membership.cohort.programme.code, node.membership.cohort.programme.name,
];
const placementTwinRow = (node) => {
  const membership = node.programmeMembershipByMembershipIdAndPharmacistId;
  const cohort = membership.cohortByCohortId;
  return [
    node.rowId, node.startDate, node.endDate, node.sector, node.organisationByHostId.odsCode,
    node.organisationByHostId.name, membership.pharmacistByPharmacistId.gphcNumber,
    membership.pharmacistByPharmacistId.familyName, cohort.label, cohort.rotationProgrammeByProgrammeId.code,
    cohort.rotationProgrammeByProgrammeId.name,
  ];
};
/** The floor's rows of placements: `where` and `order` complete the statement. */
const placementsSql = (where, order, limit, offset = 0) => `
  SELECT p.id, p.start_date, p.end_date, p.sector, h.ods_code, h.name, ph.gphc_number, ph.family_name,
         c.label, rp.code, rp.name AS programme
  FROM placement p JOIN organisation h ON h.id = p.host_id JOIN programme_membership m ON m.id = p.membership_id
  JOIN pharmacist ph ON ph.id = m.pharmacist_id JOIN cohort c ON c.id = m.cohort_id
  JOIN rotation_programme rp ON rp.id = c.programme_id
  ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
const jsonOf = (sql) => `SELECT coalesce(json_agg(row_to_json(x)), '[]') FROM (${sql}) x`;

const newest = (total) => ({
  rotagraph: () => ({
    query: `{ placements(first: 20, orderBy: { field: START_DATE, direction: DESC }) { ${total ? "totalCount" : ""} nodes { ${PLACEMENT} } } }`,
  }),
  postgraphile: () => ({
    query: `{ allPlacements(first: 20, orderBy: [START_DATE_DESC, PRIMARY_KEY_DESC]) { ${total ? "totalCount" : ""} nodes { ${PLACEMENT_TWIN} } } }`,
  }),
  normalise: {
    rotagraph: (data) => [...(total ? [data.placements.totalCount] : []), ...data.placements.nodes.map(placementRow)],
    postgraphile: (data) => [...(total ? [data.allPlacements.totalCount] : []), ...data.allPlacements.nodes.map(placementTwinRow)],
  },
  floor: () => {
    const page = jsonOf(placementsSql("", "p.start_date DESC, p.id DESC", 20));
    return total ? `SELECT json_build_object('totalCount', (SELECT count(*) FROM placement), 'nodes', (${page}))` : page;
  },
});

/** The members a programme view shows per cohort (the first, by start date then id). */
const MEMBERS_PER_COHORT = 20;

/** The view of the programme with the most members: each cohort's first members, down to placements and
 * hosts or not. */
const programmeView = (placements) => ({
  setup: async (_, psql) => ({
    code: psql(`SELECT rp.code FROM rotation_programme rp JOIN cohort c ON c.programme_id = rp.id
      JOIN programme_membership m ON m.cohort_id = c.id GROUP BY rp.code ORDER BY count(*) DESC, rp.code LIMIT 1`),
  }),
  rotagraph: ({ code }) => ({
    query: `query($code: String!) { programmes(first: 1, filter: { code: [$code] }) { nodes { code name cohorts(first: 10) { nodes { label
      memberships(first: ${MEMBERS_PER_COHORT}) { nodes { id status pharmacist { gphcNumber familyName } post { postNumber employer { odsCode name } }
        ${placements ? "placements(first: 6) { nodes { id startDate host { odsCode name } } }" : ""} } } } } } } }`,
    variables: { code },
  }),
  normalise: {
    rotagraph: (data) =>
      sorted(data.programmes.nodes.flatMap((programme) => programme.cohorts.nodes.flatMap((cohort) =>
        cohort.memberships.nodes.flatMap((member) => [
          [programme.code, cohort.label, uuid(member.id), member.status, member.pharmacist?.gphcNumber,
            member.post?.postNumber ?? null, member.post?.employer?.odsCode ?? null],
          ...(member.placements?.nodes ?? []).map((placement) =>
            [uuid(member.id), uuid(placement.id), placement.startDate, placement.host.odsCode]),
        ])))),
    postgraphile: (data) => {
      const programme = data.rotationProgrammeByCode;
      return sorted(programme.cohortsByProgrammeId.nodes.flatMap((cohort) =>
        cohort.programmeMembershipsByCohortId.nodes.map((member) => [
          programme.code, cohort.label, member.rowId, member.status, member.pharmacistByPharmacistId.gphcNumber,
          member.rotationalPostByPostId?.postNumber ?? null,
          member.rotationalPostByPostId?.organisationByEmployerId?.odsCode ?? null,
        ])));
    },
  },
  floor: ({ code }) => `
    SELECT json_build_object('code', rp.code, 'name', rp.name, 'cohorts', (
      SELECT coalesce(json_agg(json_build_object('label', c.label, 'memberships', (
        SELECT coalesce(json_agg(json_build_object('id', m.id, 'status', m.status,
          'pharmacist', json_build_object('gphcNumber', ph.gphc_number, 'familyName', ph.family_name),
          'post', (SELECT json_build_object('postNumber', po.post_number, 'employer',
                     json_build_object('odsCode', e.ods_code, 'name', e.name))
                   FROM rotational_post po JOIN organisation e ON e.id = po.employer_id WHERE po.id = m.post_id)${placements ? `,
          'placements', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'startDate', p.start_date,
                           'host', json_build_object('odsCode', h.ods_code, 'name', h.name)) ORDER BY p.start_date, p.id), '[]')
                         FROM placement p JOIN organisation h ON h.id = p.host_id WHERE p.membership_id = m.id)` : ""}
        ) ORDER BY m.start_date, m.id), '[]')
        FROM (SELECT * FROM programme_membership WHERE cohort_id = c.id ORDER BY start_date, id LIMIT ${MEMBERS_PER_COHORT}) m
        JOIN pharmacist ph ON ph.id = m.pharmacist_id)
      ) ORDER BY c.intake_date, c.id), '[]') FROM cohort c WHERE c.programme_id = rp.id))
    FROM rotation_programme rp WHERE rp.code = '${code.replaceAll("'", "''")}'`,
});

const COMPARISON = `rows { icb { code } boardMedicinesLead teamWte transformationalShare programmes places
  consultantLeads { value } pathways consultantLedPathways redesigns teamFromStartShare socialCareShare }
  spread { region { code } measures { measure minimum median maximum } }`;
const comparisonRows = (data) => data.reports.icbComparison.rows.map((row) => [row.icb.code, row.teamWte, row.places,
  row.consultantLeads.value, row.pathways, row.consultantLedPathways, row.redesigns]);

export const views = [
  { name: "list-with-totalCount", ...newest(true) },
  { name: "list", ...newest(false) },
  {
    name: "filtered-list",
    rotagraph: () => ({
      query: `{ placements(first: 20, filter: { sector: { eq: GENERAL_PRACTICE }, status: { eq: APPROVED }, isCrossIcb: true },
        orderBy: { field: START_DATE }) { nodes { ${PLACEMENT} } } }`,
    }),
    postgraphile: () => ({
      query: `{ allPlacements(first: 20, condition: { sector: "GENERAL_PRACTICE", status: "APPROVED", isCrossIcb: true },
        orderBy: [START_DATE_ASC, PRIMARY_KEY_ASC]) { nodes { ${PLACEMENT_TWIN} } } }`,
    }),
    normalise: {
      rotagraph: (data) => data.placements.nodes.map(placementRow),
      postgraphile: (data) => data.allPlacements.nodes.map(placementTwinRow),
    },
    floor: () =>
      jsonOf(placementsSql(
        "WHERE p.sector = 'GENERAL_PRACTICE' AND p.status = 'APPROVED' AND p.is_cross_icb",
        "p.start_date, p.id",
        20,
      )),
  },
  {
    name: "deep-page",
    // The page after the 5,000th row (or the last full page of a smaller network), by start date.
    setup: async (rotagraph, psql) => {
      const total = Number(psql("SELECT count(*) FROM placement"));
      const position = Math.max(0, Math.min(5000, total - 20));
      let after = null;
      for (let read = 0; read < position; read += 100) {
        const first = Math.min(100, position - read);
        const data = await rotagraph({
          query: "query($after: String, $first: Int) { placements(first: $first, after: $after, orderBy: { field: START_DATE }) { pageInfo { endCursor } } }",
          variables: { after, first },
        });
        after = data.placements.pageInfo.endCursor;
      }
      return { after, position };
    },
    rotagraph: ({ after }) => ({
      query: `query($after: String) { placements(first: 20, after: $after, orderBy: { field: START_DATE }) { nodes { ${PLACEMENT} } } }`,
      variables: { after },
    }),
    postgraphile: ({ position }) => ({
      query: `query($offset: Int) { allPlacements(first: 20, offset: $offset, orderBy: [START_DATE_ASC, PRIMARY_KEY_ASC]) { nodes { ${PLACEMENT_TWIN} } } }`,
      variables: { offset: position },
    }),
    normalise: {
      rotagraph: (data) => data.placements.nodes.map(placementRow),
      postgraphile: (data) => data.allPlacements.nodes.map(placementTwinRow),
    },
    // The floor reads by keyset too, from the row the page starts after.
    floor: ({ position }) => {
      const key = position === 0 ? "" : `WHERE (p.start_date, p.id) > (SELECT start_date, id FROM placement
        ORDER BY start_date, id OFFSET ${position - 1} LIMIT 1)`;
      return jsonOf(placementsSql(key, "p.start_date, p.id", 20));
    },
  },
  {
    name: "programme-detail",
    // The programme with the most members: its cohorts, members, pharmacist, post and employer, and
    // placements with their hosts. PostGraphile has no twin: the placement's foreign key to its membership
    // is composite (membership and pharmacist), and amber exposes no relation from memberships back to
    // placements through it.
    ...programmeView(true),
  },
  {
    name: "programme-members",
    // The same programme down to posts and employers, which PostGraphile can answer too.
    ...programmeView(false),
    postgraphile: ({ code }) => ({
      query: `query($code: String!) { rotationProgrammeByCode(code: $code) { code name cohortsByProgrammeId { nodes { label
        programmeMembershipsByCohortId(first: ${MEMBERS_PER_COHORT}, orderBy: [START_DATE_ASC, PRIMARY_KEY_ASC]) { nodes { rowId status pharmacistByPharmacistId { gphcNumber familyName }
          rotationalPostByPostId { postNumber organisationByEmployerId { odsCode name } } } } } } } }`,
      variables: { code },
    }),
  },
  {
    name: "icbs-programmes-cohorts",
    // Compared as the set of (programme, cohort) rows: rotagraph lists a predecessor's programmes under
    // its successor, PostGraphile under the ICB that owns them.
    rotagraph: () => ({ query: "{ icbs { odsCode name programmes { nodes { code name cohorts { nodes { label intakeDate placesOffered } } } } } }" }),
    postgraphile: () => ({
      query: `{ allOrganisations(condition: { kind: "ICB" }) { nodes { odsCode name rotationProgrammesByOwnerIcbId { nodes {
        code name cohortsByProgrammeId { nodes { label intakeDate placesOffered } } } } } } }`,
    }),
    normalise: {
      rotagraph: (data) =>
        unique(data.icbs.flatMap((icb) => icb.programmes.nodes.flatMap((programme) =>
          programme.cohorts.nodes.map((cohort) => [programme.code, programme.name, cohort.label, cohort.intakeDate, cohort.placesOffered])))),
      postgraphile: (data) =>
        unique(data.allOrganisations.nodes.flatMap((icb) => icb.rotationProgrammesByOwnerIcbId.nodes.flatMap((programme) =>
          programme.cohortsByProgrammeId.nodes.map((cohort) => [programme.code, programme.name, cohort.label, cohort.intakeDate, cohort.placesOffered])))),
    },
    floor: () => `
      SELECT json_agg(json_build_object('odsCode', o.ods_code, 'name', o.name, 'programmes', (
        SELECT coalesce(json_agg(json_build_object('code', rp.code, 'name', rp.name, 'cohorts', (
          SELECT coalesce(json_agg(json_build_object('label', c.label, 'intakeDate', c.intake_date, 'placesOffered', c.places_offered)
                 ORDER BY c.intake_date), '[]') FROM cohort c WHERE c.programme_id = rp.id)) ORDER BY rp.code), '[]')
        FROM rotation_programme rp WHERE rp.owner_icb_id = o.id)) ORDER BY o.name)
      FROM organisation o WHERE o.kind = 'ICB'`,
  },
  {
    name: "node",
    setup: async (_, psql) => ({ id: psql("SELECT id FROM placement ORDER BY start_date DESC, id LIMIT 1") }),
    rotagraph: ({ id }) => ({
      query: "query($id: ID!) { node(id: $id) { ... on Placement { id startDate sector host { odsCode name } pharmacist { gphcNumber familyName } } } }",
      variables: { id: Buffer.from(`Placement:${id}`).toString("base64url") },
    }),
    postgraphile: ({ id }) => ({
      query: `query($id: UUID!) { placementByRowId(rowId: $id) { rowId startDate sector organisationByHostId { odsCode name }
        programmeMembershipByMembershipIdAndPharmacistId { pharmacistByPharmacistId { gphcNumber familyName } } } }`,
      variables: { id },
    }),
    normalise: {
      rotagraph: ({ node }) => [[uuid(node.id), node.startDate, node.sector, node.host.odsCode, node.host.name, node.pharmacist.gphcNumber]],
      postgraphile: ({ placementByRowId: node }) => [[node.rowId, node.startDate, node.sector, node.organisationByHostId.odsCode,
        node.organisationByHostId.name, node.programmeMembershipByMembershipIdAndPharmacistId.pharmacistByPharmacistId.gphcNumber]],
    },
    floor: ({ id }) => `SELECT json_build_object('id', p.id, 'startDate', p.start_date, 'sector', p.sector,
      'host', json_build_object('odsCode', h.ods_code, 'name', h.name), 'pharmacist', json_build_object('gphcNumber', ph.gphc_number, 'familyName', ph.family_name))
      FROM placement p JOIN organisation h ON h.id = p.host_id JOIN pharmacist ph ON ph.id = p.pharmacist_id WHERE p.id = '${id}'`,
  },
  {
    name: "nodes-100",
    setup: async (_, psql) => ({ ids: psql("SELECT id FROM placement ORDER BY end_date, id LIMIT 100").split("\n") }),
    rotagraph: ({ ids }) => ({
      query: "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Placement { id startDate host { odsCode name } } } }",
      variables: { ids: ids.map((id) => Buffer.from(`Placement:${id}`).toString("base64url")) },
    }),
    postgraphile: ({ ids }) => ({
      query: `{ ${ids.map((id, index) => `p${index}: placementByRowId(rowId: "${id}") { rowId startDate organisationByHostId { odsCode name } }`).join(" ")} }`,
    }),
    normalise: {
      rotagraph: ({ nodes }) => nodes.map((node) => [uuid(node.id), node.startDate, node.host.odsCode, node.host.name]),
      postgraphile: (data) => Object.keys(data).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).map((key) => {
        const node = data[key];
        return [node.rowId, node.startDate, node.organisationByHostId.odsCode, node.organisationByHostId.name];
      }),
    },
    floor: ({ ids }) => `SELECT json_agg(json_build_object('id', p.id, 'startDate', p.start_date,
      'host', json_build_object('odsCode', h.ods_code, 'name', h.name)) ORDER BY array_position(ARRAY[${ids.map((id) => `'${id}'::uuid`).join(",")}], p.id))
      FROM placement p JOIN organisation h ON h.id = p.host_id WHERE p.id IN (${ids.map((id) => `'${id}'`).join(",")})`,
  },
  {
    name: "entities-100",
    // Federation: 100 representations of organisations by ODS code (rotagraph only).
    setup: async (_, psql) => ({
      codes: psql("SELECT ods_code FROM organisation WHERE kind = 'GP_PRACTICE' ORDER BY ods_code LIMIT 100").split("\n"),
    }),
    rotagraph: ({ codes }) => ({
      query: "query($r: [_Any!]!) { _entities(representations: $r) { ... on GpPractice { odsCode name } } }",
      variables: { r: codes.map((odsCode) => ({ __typename: "GpPractice", odsCode })) },
    }),
    normalise: { rotagraph: (data) => data._entities.map((entity) => [entity.odsCode, entity.name]) },
    floor: ({ codes }) => `SELECT json_agg(json_build_object('odsCode', o.ods_code, 'name', o.name) ORDER BY o.ods_code)
      FROM organisation o WHERE o.kind = 'GP_PRACTICE' AND o.ods_code IN (${codes.map((code) => `'${code}'`).join(",")})`,
  },
  {
    name: "report-fill-rate-by-icb",
    rotagraph: () => ({ query: "{ reports { fillRate(groupBy: ICB) { group { code } placesOffered accepted { value } fillRate { value } } } }" }),
    normalise: { rotagraph: (data) => data.reports.fillRate.map((row) => [row.group.code, row.placesOffered, row.accepted.value]) },
  },
  {
    name: "report-cross-icb-flows",
    rotagraph: () => ({ query: "{ reports { crossIcbFlows(icbResolution: CURRENT_SUCCESSOR) { owner { code } host { code } placements { value } wte { value } } } }" }),
    normalise: { rotagraph: (data) => data.reports.crossIcbFlows.map((row) => [row.owner.code, row.host.code, row.placements.value]) },
  },
  {
    name: "report-open-vacancies",
    rotagraph: () => ({ query: "{ reports { openVacancies { sector afcBand icb { code } vacancies { value } wte { value } } } }" }),
    normalise: { rotagraph: (data) => data.reports.openVacancies.map((row) => [row.icb.code, row.sector, row.afcBand, row.vacancies.value]) },
  },
  {
    name: "report-icb-comparison",
    // The regional dashboard's comparison of every ICB, with the spread across ICBs: answered from the
    // answer kept for the data version after the first request.
    rotagraph: () => ({ query: `{ reports { icbComparison(icbResolution: CURRENT_SUCCESSOR) { ${COMPARISON} } } }` }),
    normalise: { rotagraph: comparisonRows },
  },
  {
    name: "report-icb-comparison-fresh",
    // The same, as of a different day each time (after the first two, which check that both databases
    // agree), so that no answer is ever kept: what working the comparison out costs.
    rotagraph: () => {
      let sent = 0;
      return {
        each: () => {
          sent += 1;
          const day = new Date(Date.UTC(2022, 6, 1) + (Math.max(0, sent - 2) % 1600) * 86_400_000);
          const asOf = day.toISOString().slice(0, 10);
          return { query: `query($d: Date!) { reports { icbComparison(filter: { asOf: $d }) { ${COMPARISON} } } }`, variables: { d: asOf } };
        },
      };
    },
    normalise: { rotagraph: comparisonRows },
  },
  {
    name: "mutation-mix",
    // Last, because it changes the data the other views read (the backends run different numbers of
    // mutations). An ICB administrator of T6Y0W, alternately registering a pharmacist (a fresh GPhC number
    // each time) and opening a vacancy at one of its GP practices: each a transaction with its checks and
    // audit row. rotagraph only (PostGraphile's CRUD mutations have none of the rules).
    setup: async (_, psql) => ({
      practice: psql(`SELECT o.ods_code FROM organisation o
        JOIN organisation_relationship r ON r.child_id = o.id AND r.kind = 'IN_ICB' AND r.valid_to IS NULL
        JOIN organisation i ON i.id = r.parent_id AND i.ods_code = 'T6Y0W'
        WHERE o.kind = 'GP_PRACTICE' AND o.legal_end_date IS NULL ORDER BY o.ods_code LIMIT 1`),
    }),
    rotagraph: ({ practice }) => {
      let sent = 0;
      return {
        admin: true,
        each: () => {
          sent += 1;
          return sent % 2
            ? {
                query: `mutation($i: CreatePharmacistInput!) { createPharmacist(input: $i) { pharmacist { id } userErrors { code } } }`,
                variables: { i: { gphcNumber: String(3000000 + (process.pid % 100) * 10000 + sent).padStart(7, "0").slice(-7),
                  givenName: "Bench", familyName: "Mark", firstRegisteredOn: "2025-07-01", managingIcb: "T6Y0W" } },
              }
            : {
                query: `mutation($i: CreateVacancyInput!) { createVacancy(input: $i) { vacancy { id } userErrors { code } } }`,
                variables: { i: { host: practice, sector: "GENERAL_PRACTICE", afcBand: "BAND_7", wte: 1, funding: "ARRS" } },
              };
        },
      };
    },
    normalise: {
      rotagraph: (data) => Object.values(data).map((payload) => payload.userErrors.map((error) => error.code)),
    },
  },
];
