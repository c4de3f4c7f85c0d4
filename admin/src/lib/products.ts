/** The most variant rows the create form offers ("Add a variant row" adds one up to this). */
export const MAX_VARIANT_ROWS = 10;

export const PRODUCT_STATUSES = ['DRAFT', 'ACTIVE', 'ARCHIVED'] as const;
