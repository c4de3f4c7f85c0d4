import 'server-only';
import { graphql } from '@/graphql/generated';
import type { CheckoutAddressesQuery } from '@/graphql/generated/graphql';
import { executeGraphQL } from '@/lib/graphql';

const CheckoutAddresses = graphql(`
  query CheckoutAddresses {
    me {
      id
      email
      addresses(first: 50) {
        edges {
          node {
            ...AddressFields
          }
        }
      }
    }
  }
`);

export type SavedAddress = NonNullable<CheckoutAddressesQuery['me']>['addresses']['edges'][number]['node'];

/** The signed-in shopper's email and address book (default first). Personal: never cached. */
export async function checkoutProfile(accessToken: string): Promise<{ email: string; addresses: SavedAddress[] } | null> {
  const data = await executeGraphQL(CheckoutAddresses, { accessToken });
  if (!data.me) return null;
  const addresses = data.me.addresses.edges.map((edge) => edge.node);
  addresses.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  return { email: data.me.email, addresses };
}
