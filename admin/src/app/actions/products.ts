'use server';
import { refresh } from 'next/cache';
import { redirect } from 'next/navigation';
import { graphql } from '@/graphql/generated';
import type { CreateVariantInput, CurrencyCode } from '@/graphql/generated/graphql';
import { requireAdmin } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { executeGraphQL } from '@/lib/graphql';
import { CURRENCIES, FRACTION_DIGITS, parseMoneyInput } from '@/lib/money';
import { parsePriceChange } from '@/lib/bulk-price';
import { MAX_VARIANT_ROWS } from '@/lib/products';

const CreateProductMutation = graphql(`
  mutation AdminCreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      id
      slug
      status
    }
  }
`);

const UpdateProductMutation = graphql(`
  mutation AdminUpdateProduct($input: UpdateProductInput!) {
    updateProduct(input: $input) {
      id
      updatedAt
    }
  }
`);

const SetVariantPricesMutation = graphql(`
  mutation AdminSetVariantPrices($input: SetVariantPricesInput!) {
    setVariantPrices(input: $input) {
      id
      prices {
        amountMinor
        currency
      }
    }
  }
`);

const AddProductVariantMutation = graphql(`
  mutation AdminAddProductVariant($input: AddProductVariantInput!) {
    addProductVariant(input: $input) {
      id
      sku
    }
  }
`);

const UpdateProductVariantMutation = graphql(`
  mutation AdminUpdateProductVariant($input: UpdateProductVariantInput!) {
    updateProductVariant(input: $input) {
      id
      sku
    }
  }
`);

const ArchiveProductMutation = graphql(`
  mutation AdminArchiveProduct($input: ArchiveProductInput!) {
    archiveProduct(input: $input) {
      id
      status
      version
    }
  }
`);

const PublishProductMutation = graphql(`
  mutation AdminPublishProduct($input: ProductStatusChangeInput!) {
    publishProduct(input: $input) {
      id
      status
      version
    }
  }
`);

const RestoreProductMutation = graphql(`
  mutation AdminRestoreProduct($input: ProductStatusChangeInput!) {
    restoreProduct(input: $input) {
      id
      status
      version
    }
  }
`);

const IMAGE_COUNT = 3;
const IMAGE_FIELDS = [0, 1, 2].flatMap((slot) => [`images[${slot}].url`, `images[${slot}].altText`]);
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** "Size: M, Colour: Blue" → [{ name: 'Size', value: 'M' }, …]; null when a part has no "name: value". */
function parseOptions(input: string): { name: string; value: string }[] | null {
  const parts = input.split(',').map((part) => part.trim()).filter(Boolean);
  const options: { name: string; value: string }[] = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon <= 0 || colon === part.length - 1) return null;
    options.push({ name: part.slice(0, colon).trim(), value: part.slice(colon + 1).trim() });
  }
  return options;
}

interface ProductFields {
  values: Record<string, string>;
  fieldErrors: Record<string, string>;
}

function readProductFields(form: FormData, fields: ProductFields) {
  const name = text(form, 'name').trim();
  const brand = text(form, 'brand').trim();
  const description = text(form, 'description').trim();
  const categoryId = text(form, 'categoryId');
  Object.assign(fields.values, { name, brand, description, categoryId });
  const images: { url: string; altText: string }[] = [];
  for (let slot = 0; slot < IMAGE_COUNT; slot += 1) {
    const url = text(form, `images[${slot}].url`).trim();
    const altText = text(form, `images[${slot}].altText`).trim();
    Object.assign(fields.values, { [`images[${slot}].url`]: url, [`images[${slot}].altText`]: altText });
    if (!url) {
      if (altText) fields.fieldErrors[`images[${slot}].url`] = 'Give the image’s URL, or clear its description.';
      continue;
    }
    if (!/^(https?:\/\/\S+|\/[^/]\S*)$/.test(url)) fields.fieldErrors[`images[${slot}].url`] = 'An http(s) URL or a path starting with /.';
    images.push({ url, altText });
  }
  if (!name) fields.fieldErrors.name = 'Enter the product’s name.';
  else if (name.length > 200) fields.fieldErrors.name = 'At most 200 characters.';
  if (!ID.test(categoryId)) fields.fieldErrors.categoryId = 'Choose a category.';
  return { name, brand, description, categoryId, images };
}

/** The prices of one row: `${prefix}price.USD`… typed as decimals, read into minor units by string work. */
function readPrices(form: FormData, prefix: string, fields: ProductFields, required: boolean): { amountMinor: number; currency: CurrencyCode }[] {
  const prices: { amountMinor: number; currency: CurrencyCode }[] = [];
  for (const currency of CURRENCIES) {
    const key = `${prefix}price.${currency}`;
    const raw = text(form, key).trim();
    fields.values[key] = raw;
    if (!raw) continue;
    const amountMinor = parseMoneyInput(raw, FRACTION_DIGITS[currency]);
    if (amountMinor === null) fields.fieldErrors[key] = 'An amount like 19.99 (at most two decimals).';
    else prices.push({ amountMinor, currency });
  }
  if (required && prices.length === 0 && !CURRENCIES.some((c) => fields.fieldErrors[`${prefix}price.${c}`])) {
    fields.fieldErrors[`${prefix}price.${CURRENCIES[0]}`] = 'Give at least one price.';
  }
  return prices;
}

/**
 * A new product (a DRAFT or ACTIVE as the catalog decides) with its variants:
 * rows left wholly empty are skipped; each other row needs a name, a SKU and
 * at least one price. Graph errors (`variants[1].sku` taken…) land on the
 * row's input they name.
 */
export async function createProduct(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const fields: ProductFields = { values: {}, fieldErrors: {} };
  const product = readProductFields(form, fields);
  const slug = text(form, 'slug').trim();
  fields.values.slug = slug;
  if (slug && !SLUG.test(slug)) fields.fieldErrors.slug = 'Lower-case letters, digits and single hyphens, e.g. rain-jacket.';
  const variants: CreateVariantInput[] = [];
  const rowOf: number[] = [];
  for (let row = 0; row < MAX_VARIANT_ROWS; row += 1) {
    const prefix = `v${row}.`;
    const vName = text(form, `${prefix}name`).trim();
    const sku = text(form, `${prefix}sku`).trim();
    const optionsText = text(form, `${prefix}options`).trim();
    const anyPrice = CURRENCIES.some((c) => text(form, `${prefix}price.${c}`).trim());
    Object.assign(fields.values, { [`${prefix}name`]: vName, [`${prefix}sku`]: sku, [`${prefix}options`]: optionsText });
    if (!vName && !sku && !optionsText && !anyPrice) continue;
    if (!vName) fields.fieldErrors[`${prefix}name`] = 'Name the variant, e.g. "Medium / Blue".';
    if (!sku) fields.fieldErrors[`${prefix}sku`] = 'Enter the SKU.';
    const options = parseOptions(optionsText);
    if (options === null) fields.fieldErrors[`${prefix}options`] = 'Write options as "Size: M, Colour: Blue".';
    const prices = readPrices(form, prefix, fields, true);
    variants.push({ name: vName, sku, options: options ?? [], prices });
    rowOf.push(row);
  }
  if (variants.length === 0) fields.fieldErrors['v0.name'] = 'A product needs at least one variant.';
  if (Object.keys(fields.fieldErrors).length) return { status: 'error', fieldErrors: fields.fieldErrors, values: fields.values };

  // The graph names fields by the variants it was sent; map them back to the form's rows.
  const aliases: Record<string, string> = { images: 'images[0].url', variants: 'v0.sku' };
  variants.forEach((variant, index) => {
    const prefix = `v${rowOf[index]}.`;
    aliases[`variants[${index}]`] = `${prefix}sku`;
    aliases[`variants[${index}].name`] = `${prefix}name`;
    aliases[`variants[${index}].sku`] = `${prefix}sku`;
    aliases[`variants[${index}].options`] = `${prefix}options`;
    aliases[`variants[${index}].prices`] = `${prefix}price.${CURRENCIES[0]}`;
    (variant.prices ?? []).forEach((price, p) => {
      aliases[`variants[${index}].prices[${p}]`] = `${prefix}price.${price.currency}`;
    });
  });
  const status = text(form, 'status') === 'DRAFT' ? 'DRAFT' : 'ACTIVE';
  fields.values.status = status;
  let id: string;
  try {
    const data = await executeGraphQL(CreateProductMutation, {
      variables: { input: { ...product, slug: slug || undefined, status, variants } },
      accessToken: token,
    });
    id = data.createProduct.id;
  } catch (error) {
    return formError(error, {
      values: fields.values,
      aliases,
      fieldNames: ['name', 'slug', 'brand', 'categoryId', 'description', ...IMAGE_FIELDS],
      codeFields: { NOT_FOUND: 'categoryId' },
    });
  }
  redirect(`/products/${id}?created=1`);
}

/** Name, brand, description, category and image of an existing product. */
export async function updateProduct(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const id = text(form, 'id');
  if (!ID.test(id)) return { status: 'error', message: 'This form does not name a product. Reload the page.' };
  const fields: ProductFields = { values: {}, fieldErrors: {} };
  const product = readProductFields(form, fields);
  const expectedVersion = versionOf(form);
  if (Object.keys(fields.fieldErrors).length) return { status: 'error', fieldErrors: fields.fieldErrors, values: fields.values };
  try {
    await executeGraphQL(UpdateProductMutation, { variables: { input: { id, expectedVersion, ...product } }, accessToken: token });
  } catch (error) {
    return formError(error, {
      values: fields.values,
      aliases: { images: 'images[0].url' },
      fieldNames: ['name', 'brand', 'categoryId', 'description', ...IMAGE_FIELDS],
      codeFields: { NOT_FOUND: 'categoryId' },
      messages: { CONFLICT: 'Another admin saved this product meanwhile: reload to see their change, then apply yours again.' },
    });
  }
  refresh();
  return { status: 'success', message: 'Saved.', values: fields.values };
}

/** One variant's prices; a currency left empty stays as it is. */
export async function setVariantPrices(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const variantId = text(form, 'variantId');
  if (!ID.test(variantId)) return { status: 'error', message: 'This form does not name a variant. Reload the page.' };
  const fields: ProductFields = { values: {}, fieldErrors: {} };
  const prices = readPrices(form, '', fields, true);
  if (Object.keys(fields.fieldErrors).length) return { status: 'error', fieldErrors: fields.fieldErrors, values: fields.values };
  const aliases: Record<string, string> = { prices: `price.${CURRENCIES[0]}` };
  prices.forEach((price, index) => {
    aliases[`prices[${index}]`] = `price.${price.currency}`;
  });
  try {
    await executeGraphQL(SetVariantPricesMutation, { variables: { input: { variantId, prices } }, accessToken: token });
  } catch (error) {
    return formError(error, { values: fields.values, aliases });
  }
  refresh();
  return { status: 'success', message: 'Prices saved.', values: fields.values };
}

/** Where the graph's variant errors land in the variant forms (`prices[1].amountMinor` → that currency's input). */
const VARIANT_FIELDS = ['sku', 'name', 'options'];
const SKU_TAKEN = 'Another variant already has this SKU (SKUs ignore case).';

/**
 * A new variant of an existing product: SKU, optional name, options as
 * "Size: M, Colour: Blue", and at least one price (typed as decimals, read
 * into integer minor units). Sent against the product's version shown.
 */
export async function addProductVariant(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const productId = text(form, 'productId');
  if (!ID.test(productId)) return { status: 'error', message: 'This form does not name a product. Reload the page.' };
  const fields: ProductFields = { values: {}, fieldErrors: {} };
  const sku = text(form, 'sku').trim();
  const name = text(form, 'name').trim();
  const optionsText = text(form, 'options').trim();
  Object.assign(fields.values, { sku, name, options: optionsText });
  if (!sku) fields.fieldErrors.sku = 'Enter the SKU.';
  else if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(sku)) fields.fieldErrors.sku = 'Letters, digits, dots, underscores or hyphens (at most 64).';
  if (name.length > 200) fields.fieldErrors.name = 'At most 200 characters.';
  const options = parseOptions(optionsText);
  if (options === null) fields.fieldErrors.options = 'Write options as "Size: M, Colour: Blue".';
  const prices = readPrices(form, '', fields, true);
  prices.forEach((price) => {
    if (price.amountMinor <= 0) fields.fieldErrors[`price.${price.currency}`] = 'A price must be above zero.';
  });
  if (Object.keys(fields.fieldErrors).length) return { status: 'error', fieldErrors: fields.fieldErrors, values: fields.values };
  const aliases: Record<string, string> = { prices: `price.${CURRENCIES[0]}` };
  prices.forEach((price, index) => {
    aliases[`prices[${index}]`] = `price.${price.currency}`;
  });
  try {
    await executeGraphQL(AddProductVariantMutation, {
      variables: { input: { productId, expectedVersion: versionOf(form), sku, name: name || undefined, options: options ?? [], prices } },
      accessToken: token,
    });
  } catch (error) {
    return formError(error, {
      values: fields.values,
      aliases,
      fieldNames: VARIANT_FIELDS,
      messages: { SKU_TAKEN, CONFLICT: 'Another admin changed this product meanwhile: reload to see their change, then add the variant again.' },
    });
  }
  refresh();
  return { status: 'success', message: 'Variant added: it is listed above with its prices.' };
}

/** An existing variant's SKU and options (its prices have their own form). */
export async function updateProductVariant(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const variantId = text(form, 'variantId');
  if (!ID.test(variantId)) return { status: 'error', message: 'This form does not name a variant. Reload the page.' };
  const fields: ProductFields = { values: {}, fieldErrors: {} };
  const sku = text(form, 'sku').trim();
  const optionsText = text(form, 'options').trim();
  Object.assign(fields.values, { sku, options: optionsText });
  if (!sku) fields.fieldErrors.sku = 'Enter the SKU.';
  else if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(sku)) fields.fieldErrors.sku = 'Letters, digits, dots, underscores or hyphens (at most 64).';
  const options = parseOptions(optionsText);
  if (options === null) fields.fieldErrors.options = 'Write options as "Size: M, Colour: Blue".';
  if (Object.keys(fields.fieldErrors).length) return { status: 'error', fieldErrors: fields.fieldErrors, values: fields.values };
  try {
    await executeGraphQL(UpdateProductVariantMutation, {
      variables: { input: { variantId, expectedVersion: versionOf(form), sku, options: options ?? [] } },
      accessToken: token,
    });
  } catch (error) {
    return formError(error, {
      values: fields.values,
      fieldNames: VARIANT_FIELDS,
      messages: { SKU_TAKEN, CONFLICT: 'Another admin changed this product meanwhile: reload to see their change, then apply yours again.' },
    });
  }
  refresh();
  return { status: 'success', message: 'Variant saved.', values: fields.values };
}

/** The version the form was rendered with (a hidden input), for optimistic concurrency; undefined when absent. */
function versionOf(form: FormData): number | undefined {
  const value = text(form, 'expectedVersion');
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

type StatusInput = { input: { id: string; expectedVersion?: number } };
const STATUS_CHANGES = {
  archive: { send: (token: string, variables: StatusInput) => executeGraphQL(ArchiveProductMutation, { variables, accessToken: token }), done: 'Archived: the storefront no longer shows it.' },
  publish: { send: (token: string, variables: StatusInput) => executeGraphQL(PublishProductMutation, { variables, accessToken: token }), done: 'Published: on sale in the storefront.' },
  restore: { send: (token: string, variables: StatusInput) => executeGraphQL(RestoreProductMutation, { variables, accessToken: token }), done: 'Restored as a draft: publish it to put it on sale again.' },
} as const;

/** Archive, publish (DRAFT → ACTIVE) or restore (ARCHIVED → DRAFT), against the version shown. */
export async function changeProductStatus(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const id = text(form, 'id');
  const change = text(form, 'change');
  if (!ID.test(id) || !Object.hasOwn(STATUS_CHANGES, change)) return { status: 'error', message: 'This form is incomplete. Reload the page.' };
  const { send, done } = STATUS_CHANGES[change as keyof typeof STATUS_CHANGES];
  try {
    await send(token, { input: { id, expectedVersion: versionOf(form) } });
  } catch (error) {
    return formError(error, { messages: { CONFLICT: 'Another admin changed this product meanwhile: reload the page and try again.' } });
  }
  refresh();
  return { status: 'success', message: done };
}

const ApplyBulkPriceChangeMutation = graphql(`
  mutation AdminApplyBulkPriceChange($input: BulkPriceChangeInput!) {
    applyBulkPriceChange(input: $input) {
      changedCount
      productCount
    }
  }
`);

/** Applies the change previewed on /products/bulk-price (the same inputs, sent again). */
export async function applyBulkPriceChange(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const categoryId = text(form, 'categoryId');
  const currency = text(form, 'currency');
  const change = parsePriceChange(text(form, 'kind'), text(form, 'value'));
  if (!ID.test(categoryId) || !CURRENCIES.some((c) => c === currency) || !change) return { status: 'error', message: 'Preview the change again before applying it.' };
  let result: { changedCount: number; productCount: number };
  try {
    result = (
      await executeGraphQL(ApplyBulkPriceChangeMutation, {
        variables: { input: { categoryId, currency: currency as CurrencyCode, change } },
        accessToken: token,
      })
    ).applyBulkPriceChange;
  } catch (error) {
    return formError(error);
  }
  return { status: 'success', message: `Applied: ${result.changedCount} prices changed in ${result.productCount} products.` };
}
