import { graphql } from '@/graphql/generated';

/** The two fields of an amount every price, line and total reads (what `formatMoney` takes). */
export const MoneyFieldsFragment = graphql(`
  fragment MoneyFields on Money {
    amountMinor
    currency
  }
`);
