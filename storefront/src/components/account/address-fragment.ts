import { graphql } from '@/graphql/generated';

export const AddressFields = graphql(`
  fragment AddressFields on Address {
    id
    fullName
    line1
    line2
    city
    region
    postalCode
    countryCode
    phone
    isDefault
  }
`);
