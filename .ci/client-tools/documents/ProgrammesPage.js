// A root connection paged by Relay, with a fragment spread per node.
import { graphql } from 'react-relay';

export const programmesPage = graphql`
  query ProgrammesPageQuery($count: Int!, $cursor: String) {
    ...ProgrammesPage_query @arguments(count: $count, cursor: $cursor)
  }
`;

export const programmesList = graphql`
  fragment ProgrammesPage_query on Query
  @refetchable(queryName: "ProgrammesPagePaginationQuery")
  @argumentDefinitions(count: { type: "Int!" }, cursor: { type: "String" }) {
    programmes(first: $count, after: $cursor) @connection(key: "ProgrammesPage_programmes") {
      edges {
        node {
          id
          ...ProgrammeCohorts_programme
        }
      }
    }
  }
`;
