// GraphQL ESLint's Relay rules over the clients' schema (run from the repository's root:
// `eslint --config .ci/client-tools/eslint.config.js schema.graphql`).
import graphql from '@graphql-eslint/eslint-plugin';

export default [
  {
    files: ['schema.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig: { schema: 'schema.graphql' } } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      '@graphql-eslint/relay-connection-types': 'error',
      // Lists that are not connections (report rows, `icbs`, a connection's `nodes` shortcut) are plain
      // lists by design: only a connection's `edges` wrap edge types. Every edge's node is a `Node` but the
      // audit trail's: an `AuditEntry` is an event, not a record a client refetches or normalises (its
      // `entityId` names the record changed), so `auditLog` is paged by cursor like any connection.
      '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false, shouldImplementNode: false }],
      '@graphql-eslint/relay-page-info': 'error',
      // Root connections page both ways (`first`/`after`, `last`/`before`). Nested connections page
      // forwards only: each level is one statement for all its parents, the top rows of each by keyset,
      // and a client reads a relation backwards through its root list (`placements(filter: { host }, last:)`).
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
    },
  },
];
