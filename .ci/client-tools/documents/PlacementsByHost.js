// A filtered root connection, paged backwards as well as forwards.
import { graphql } from 'react-relay';

export const placementsByHost = graphql`
  query PlacementsByHostQuery($icb: OdsCode!, $last: Int, $before: String) {
    placements(filter: { hostIcb: { eq: $icb } }, last: $last, before: $before) {
      totalCount
      pageInfo {
        hasPreviousPage
        startCursor
      }
      edges {
        node {
          id
          startDate
          sector
          host {
            odsCode
            name
          }
        }
      }
    }
  }
`;
