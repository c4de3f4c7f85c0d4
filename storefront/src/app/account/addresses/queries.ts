import { graphql } from '@/graphql/generated';

export const AddressBookQuery = graphql(`
  query AddressBook {
    me {
      id
      addresses(first: 50) {
        totalCount
        edges {
          node {
            ...AddressFields
          }
        }
      }
    }
  }
`);
