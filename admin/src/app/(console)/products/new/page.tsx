import type { Metadata } from 'next';
import Link from 'next/link';
import { createProduct } from '@/app/actions/products';
import { ActionForm, Field, MoneyField, SelectField } from '@/components/form';
import { ProductFields } from '@/components/product-fields';
import { PageHead, param } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';
import { categoryOptions } from '@/lib/categories';
import { CURRENCIES } from '@/lib/money';
import { MAX_VARIANT_ROWS } from '@/lib/products';

export const metadata: Metadata = { title: 'New product' };

export default async function NewProductPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await requireAdmin();
  const rows = Math.min(MAX_VARIANT_ROWS, Math.max(1, Number(param((await searchParams).rows)) || 2));
  const categories = await categoryOptions(token);
  return (
    <>
      <PageHead title="New product">
        <Link href="/products">All products</Link>
      </PageHead>
      <div className="panel">
        <ActionForm action={createProduct} submitLabel="Create product" label="New product">
          <ProductFields categories={categories} />
          <SelectField name="status" label="Status" defaultValue="DRAFT" hint="A draft is not on sale until you publish it.">
            <option value="DRAFT">Draft</option>
            <option value="ACTIVE">Active (on sale now)</option>
          </SelectField>
          <Field name="slug" label="Slug (optional)" maxLength={120} pattern="[a-z0-9]+(-[a-z0-9]+)*" title="Lower-case letters, digits and single hyphens" hint="Made from the name when empty." />
          {[...Array(rows).keys()].map((row) => (
            <fieldset key={`variant-${row}`}>
              <legend>Variant {row + 1}</legend>
              <div className="row">
                <Field name={`v${row}.name`} label="Variant name" maxLength={200} required={row === 0} placeholder="Medium / Blue" />
                <Field name={`v${row}.sku`} label="SKU" maxLength={64} required={row === 0} pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" title="Letters, digits, dots, hyphens and underscores" />
              </div>
              <Field name={`v${row}.options`} label="Options" maxLength={500} placeholder="Size: M, Colour: Blue" hint='"Name: value" pairs, separated by commas.' />
              <div className="row">
                {CURRENCIES.map((currency) => (
                  <MoneyField key={currency} name={`v${row}.price.${currency}`} label="Price" currency={currency} required={row === 0 && currency === 'USD'} />
                ))}
              </div>
            </fieldset>
          ))}
          {rows < MAX_VARIANT_ROWS ? (
            <p>
              <Link href={`/products/new?rows=${rows + 1}`}>Add a variant row</Link> <span className="muted">(clears what you typed)</span>
            </p>
          ) : null}
        </ActionForm>
      </div>
    </>
  );
}
