// A refetchable fragment (refetched through `node`) with a nested connection paged by Relay.
import { graphql } from 'react-relay';

export const programmeCohorts = graphql`
  fragment ProgrammeCohorts_programme on RotationProgramme
  @refetchable(queryName: "ProgrammeCohortsRefetchQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    code
    name
    cohorts(first: $count, after: $cursor) @connection(key: "ProgrammeCohorts_cohorts") {
      edges {
        node {
          id
          label
          intakeDate
          placesOffered
          memberships(first: 5) {
            totalCount
            nodes {
              id
              status
            }
          }
        }
      }
    }
  }
`;
