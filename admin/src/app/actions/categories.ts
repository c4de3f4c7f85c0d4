'use server';
import { refresh } from 'next/cache';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { formError, text } from '@/lib/form-errors';
import type { FormState } from '@/lib/form-state';
import { executeGraphQL } from '@/lib/graphql';

const CreateCategoryMutation = graphql(`
  mutation AdminCreateCategory($input: CreateCategoryInput!) {
    createCategory(input: $input) {
      id
      name
      slug
    }
  }
`);

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export async function createCategory(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const name = text(form, 'name').trim();
  const slug = text(form, 'slug').trim();
  const parentId = text(form, 'parentId');
  const description = text(form, 'description').trim();
  const values = { name, slug, parentId, description };
  const fieldErrors: Record<string, string> = {};
  if (!name) fieldErrors.name = 'Name the category.';
  else if (name.length > 100) fieldErrors.name = 'At most 100 characters.';
  if (slug && !SLUG.test(slug)) fieldErrors.slug = 'Lower-case letters, digits and single hyphens, e.g. rain-jackets.';
  if (parentId && !ID.test(parentId)) fieldErrors.parentId = 'Choose a parent from the list.';
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  let created: { name: string; slug: string };
  try {
    const data = await executeGraphQL(CreateCategoryMutation, {
      variables: { input: { name, slug: slug || undefined, parentId: parentId || undefined, description: description || undefined } },
      accessToken: token,
    });
    created = data.createCategory;
  } catch (error) {
    return formError(error, { values, fieldNames: ['name', 'slug', 'parentId', 'description'], codeFields: { NOT_FOUND: 'parentId', CONFLICT: 'slug' } });
  }
  refresh();
  return { status: 'success', message: `Category ${created.name} (${created.slug}) created.` };
}
