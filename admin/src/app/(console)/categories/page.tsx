import type { Metadata } from 'next';
import Link from 'next/link';
import { createCategory } from '@/app/actions/categories';
import { ActionForm, Field, SelectField } from '@/components/form';
import { PageHead } from '@/components/ui';
import { requireAdmin } from '@/lib/auth';
import { categoryOptions } from '@/lib/categories';

export const metadata: Metadata = { title: 'Categories' };

export default async function CategoriesPage() {
  const { token } = await requireAdmin();
  const categories = await categoryOptions(token);
  return (
    <>
      <PageHead title="Categories" count={`${categories.length} in the first three levels`} />
      <div className="grid">
        <section className="panel" aria-labelledby="tree-heading">
          <h2 id="tree-heading">Tree</h2>
          <ul className="tree">
            {categories.map((c) => (
              <li key={c.id} style={{ marginLeft: `${c.depth * 1.25}rem` }}>
                <Link href={`/categories/${c.id}`}>{c.name}</Link> <span className="muted">/{c.slug}</span>
              </li>
            ))}
          </ul>
        </section>
        <section className="panel" aria-labelledby="new-category">
          <h2 id="new-category">New category</h2>
          <ActionForm action={createCategory} submitLabel="Create category" label="New category">
            <Field name="name" label="Name" required maxLength={100} />
            <Field name="slug" label="Slug (optional)" maxLength={120} pattern="[a-z0-9]+(-[a-z0-9]+)*" title="Lower-case letters, digits and single hyphens" />
            <SelectField name="parentId" label="Parent" defaultValue="">
              <option value="">None (top level)</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.path}
                </option>
              ))}
            </SelectField>
            <Field name="description" label="Description" maxLength={1000} />
          </ActionForm>
          <p className="muted">Choose a category in the tree to rename, move or reorder it.</p>
        </section>
      </div>
    </>
  );
}
