import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { addProductVariant, changeProductStatus, setVariantPrices, updateProduct, updateProductVariant } from '@/app/actions/products';
import { ActionForm, Field, MoneyField } from '@/components/form';
import { ProductFields } from '@/components/product-fields';
import { StatusPill, When, param } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { categoryOptions } from '@/lib/categories';
import { storefrontUrl } from '@/lib/config';
import { executeGraphQL } from '@/lib/graphql';
import { CURRENCIES, FRACTION_DIGITS, minorToDecimalString } from '@/lib/money';

export const metadata: Metadata = { title: 'Product' };

const AdminProductQuery = graphql(`
  query AdminProduct($id: ID!) {
    product(id: $id) {
      id
      name
      slug
      brand
      description
      status
      version
      createdAt
      updatedAt
      category {
        id
        name
      }
      images {
        url
        altText
      }
      variants {
        id
        sku
        name
        options {
          name
          value
        }
        prices {
          amountMinor
          currency
        }
        availability {
          available
          onHand
        }
      }
    }
  }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ProductPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await requireAdmin();
  const { id } = await params;
  const created = param((await searchParams).created) === '1';
  if (!UUID.test(id)) notFound();
  const [{ product }, categories] = await Promise.all([
    executeGraphQL(AdminProductQuery, { variables: { id }, accessToken: token }),
    categoryOptions(token),
  ]);
  if (!product) notFound();
  return (
    <>
      <div className="page-head">
        <h1>{product.name}</h1>
        <StatusPill status={product.status} />
        <div className="page-head__actions">
          {product.status === 'ACTIVE' ? <a href={`${storefrontUrl()}/p/${product.slug}`}>View in the storefront</a> : null}
          <Link href="/products">All products</Link>
        </div>
      </div>
      {created ? (
        <p className="notice notice--ok" role="status">
          Product created.
        </p>
      ) : null}
      <p className="muted">
        Slug <code>{product.slug}</code> · created <When at={product.createdAt} /> · updated <When at={product.updatedAt} />
      </p>
      <section className="panel" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <ActionForm action={updateProduct} submitLabel="Save details" label="Product details">
          <input type="hidden" name="id" value={product.id} />
          <input type="hidden" name="expectedVersion" value={product.version} />
          <ProductFields
            categories={categories}
            defaults={{
              name: product.name,
              brand: product.brand,
              description: product.description,
              categoryId: product.category.id,
              images: product.images,
            }}
          />
        </ActionForm>
      </section>
      <section aria-labelledby="variants-heading">
        <h2 id="variants-heading">Variants and prices</h2>
        <div className="grid">
          {product.variants.map((variant) => (
            <div key={variant.id} className="panel">
              <h3>
                {variant.name} <span className="muted">· {variant.sku}</span>
              </h3>
              <p className="muted">
                {variant.options.map((o) => `${o.name}: ${o.value}`).join(', ') || 'No options'} · {variant.availability.available} available ·{' '}
                <Link href={`/inventory/${variant.id}`}>Stock</Link>
              </p>
              <ActionForm action={updateProductVariant} submitLabel="Save variant" label={`Variant ${variant.sku}`} className="form form--inline">
                <input type="hidden" name="variantId" value={variant.id} />
                <input type="hidden" name="expectedVersion" value={product.version} />
                <Field name="sku" label="SKU" defaultValue={variant.sku} required maxLength={64} autoComplete="off" />
                <Field
                  name="options"
                  label="Options"
                  hint='e.g. "Size: M, Colour: Blue"'
                  defaultValue={variant.options.map((o) => `${o.name}: ${o.value}`).join(', ')}
                  autoComplete="off"
                />
              </ActionForm>
              <ActionForm action={setVariantPrices} submitLabel="Save prices" label={`Prices of ${variant.sku}`} className="form form--inline">
                <input type="hidden" name="variantId" value={variant.id} />
                {CURRENCIES.map((currency) => {
                  const price = variant.prices.find((p) => p.currency === currency);
                  return (
                    <MoneyField
                      key={currency}
                      name={`price.${currency}`}
                      label="Price"
                      currency={currency}
                      defaultValue={price ? minorToDecimalString(price.amountMinor, FRACTION_DIGITS[currency]) : undefined}
                    />
                  );
                })}
              </ActionForm>
            </div>
          ))}
        </div>
      </section>
      <section className="panel" aria-labelledby="add-variant-heading">
        <h2 id="add-variant-heading">Add a variant</h2>
        <ActionForm action={addProductVariant} submitLabel="Add variant" label="Add a variant" className="form form--inline">
          <input type="hidden" name="productId" value={product.id} />
          <input type="hidden" name="expectedVersion" value={product.version} />
          <Field name="sku" label="SKU" required maxLength={64} autoComplete="off" />
          <Field name="name" label="Name" hint="The option values when left empty" maxLength={200} autoComplete="off" />
          <Field name="options" label="Options" hint='e.g. "Size: M, Colour: Blue"' autoComplete="off" />
          {CURRENCIES.map((currency) => (
            <MoneyField key={currency} name={`price.${currency}`} label="Price" currency={currency} />
          ))}
        </ActionForm>
      </section>
      <section className="panel" aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <p className="muted">
          DRAFT is not on sale; ACTIVE is; ARCHIVED is hidden. Version {product.version}: a change made meanwhile by another admin is refused, not overwritten.
        </p>
        <div className="actions-grid">
          {product.status === 'DRAFT' ? <StatusForm id={product.id} version={product.version} change="publish" label="Publish" /> : null}
          {product.status === 'ARCHIVED' ? <StatusForm id={product.id} version={product.version} change="restore" label="Restore as draft" /> : null}
          {product.status !== 'ARCHIVED' ? (
            <StatusForm id={product.id} version={product.version} change="archive" label="Archive" confirm="Archive this product? The storefront stops showing it." />
          ) : null}
        </div>
      </section>
    </>
  );
}

function StatusForm({ id, version, change, label, confirm }: { id: string; version: number; change: string; label: string; confirm?: string }) {
  return (
    <ActionForm action={changeProductStatus} submitLabel={label} label={label} danger={change === 'archive'} confirm={confirm}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="expectedVersion" value={version} />
      <input type="hidden" name="change" value={change} />
    </ActionForm>
  );
}
