'use server';
import { refresh } from 'next/cache';
import { graphql } from '@/graphql/generated';
import { requireAdmin } from '@/lib/auth';
import { forgetCategoryTree } from '@/lib/categories';
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

const UpdateCategoryMutation = graphql(`
  mutation AdminUpdateCategory($input: UpdateCategoryInput!) {
    updateCategory(input: $input) {
      id
      name
      version
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
  forgetCategoryTree();
  refresh();
  return { status: 'success', message: `Category ${created.name} (${created.slug}) created.` };
}

/** Rename, move (a new parent, or the top level) and reorder (a 0-based position), against the version shown. */
export async function updateCategory(_previous: FormState, form: FormData): Promise<FormState> {
  const { token } = await requireAdmin();
  const id = text(form, 'id');
  if (!ID.test(id)) return { status: 'error', message: 'This form does not name a category. Reload the page.' };
  const name = text(form, 'name').trim();
  const slug = text(form, 'slug').trim();
  const parentId = text(form, 'parentId');
  const position = text(form, 'position').trim();
  const description = text(form, 'description').trim();
  const version = text(form, 'expectedVersion');
  const values = { name, slug, parentId, position, description };
  const fieldErrors: Record<string, string> = {};
  if (!name) fieldErrors.name = 'Name the category.';
  else if (name.length > 100) fieldErrors.name = 'At most 100 characters.';
  if (!SLUG.test(slug)) fieldErrors.slug = 'Lower-case letters, digits and single hyphens, e.g. rain-jackets.';
  if (parentId && (!ID.test(parentId) || parentId === id)) fieldErrors.parentId = 'Choose another category as the parent.';
  if (position && !/^\d{1,5}$/.test(position)) fieldErrors.position = 'A place from 0 (first).';
  if (Object.keys(fieldErrors).length) return { status: 'error', fieldErrors, values };
  try {
    await executeGraphQL(UpdateCategoryMutation, {
      variables: {
        input: {
          id,
          name,
          slug,
          parentId: parentId || null,
          position: position ? Number(position) : undefined,
          description,
          expectedVersion: /^\d+$/.test(version) ? Number(version) : undefined,
        },
      },
      accessToken: token,
    });
  } catch (error) {
    return formError(error, {
      values,
      fieldNames: ['name', 'slug', 'parentId', 'position', 'description'],
      codeFields: { NOT_FOUND: 'parentId' },
      messages: { CONFLICT: 'That slug is taken, or another admin changed this category meanwhile: reload and try again.' },
    });
  }
  forgetCategoryTree();
  refresh();
  return { status: 'success', message: 'Saved. Its products moved with it.', values };
}
