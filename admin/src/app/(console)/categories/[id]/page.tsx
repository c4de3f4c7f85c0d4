import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { updateCategory } from '@/app/actions/categories';
import { ActionForm, Field, SelectField } from '@/components/form';
import { PageHead } from '@/components/ui';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { categoryOptions } from '@/lib/categories';
import { executeGraphQL } from '@/lib/graphql';

export const metadata: Metadata = { title: 'Category' };

const AdminCategoryQuery = graphql(`
  query AdminCategory($id: ID!) {
    category(id: $id) {
      id
      name
      slug
      description
      position
      version
      parent {
        id
      }
      products(first: 1) {
        totalCount
      }
    }
  }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function CategoryPage({ params }: { params: Promise<{ id: string }> }) {
  const { token } = await requireAdmin();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const [{ category }, tree] = await Promise.all([executeGraphQL(AdminCategoryQuery, { variables: { id }, accessToken: token }), categoryOptions(token)]);
  if (!category) notFound();
  // Not under itself or its own subtree (the graph refuses it too).
  const me = tree.find((c) => c.id === category.id);
  const parents = tree.filter((c) => c.id !== category.id && !(me && c.path.startsWith(`${me.path} › `)));
  return (
    <>
      <PageHead title={category.name} count={`${category.products.totalCount} active products in it and below`}>
        <Link href="/categories">All categories</Link>
      </PageHead>
      <section className="panel" aria-labelledby="edit-category">
        <h2 id="edit-category">Rename, move, reorder</h2>
        <ActionForm action={updateCategory} submitLabel="Save category" label="Edit category">
          <input type="hidden" name="id" value={category.id} />
          <input type="hidden" name="expectedVersion" value={category.version} />
          <div className="row">
            <Field name="name" label="Name" required maxLength={100} defaultValue={category.name} />
            <Field name="slug" label="Slug" required maxLength={120} pattern="[a-z0-9]+(-[a-z0-9]+)*" title="Lower-case letters, digits and single hyphens" defaultValue={category.slug} />
          </div>
          <div className="row">
            <SelectField name="parentId" label="Parent" defaultValue={category.parent?.id ?? ''}>
              <option value="">None (top level)</option>
              {parents.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.path}
                </option>
              ))}
            </SelectField>
            <Field name="position" label="Place among its siblings (0 = first)" type="number" min={0} step={1} inputMode="numeric" defaultValue={category.position} />
          </div>
          <Field name="description" label="Description" maxLength={1000} defaultValue={category.description ?? undefined} />
        </ActionForm>
        <p className="muted">Moving a category moves its subcategories and products with it; no product is lost.</p>
      </section>
    </>
  );
}
