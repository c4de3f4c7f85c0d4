import { Field, SelectField, TextAreaField } from '@/components/form';
import type { CategoryOption } from '@/lib/categories';

export interface ProductDefaults {
  name?: string;
  brand?: string | null;
  description?: string;
  categoryId?: string;
  imageUrl?: string;
  imageAlt?: string;
}

/** The product's own fields, shared by the create and edit forms. */
export function ProductFields({ categories, defaults = {} }: { categories: CategoryOption[]; defaults?: ProductDefaults }) {
  return (
    <>
      <Field name="name" label="Name" required maxLength={200} defaultValue={defaults.name} />
      <div className="row">
        <Field name="brand" label="Brand" maxLength={100} defaultValue={defaults.brand ?? undefined} />
        <SelectField name="categoryId" label="Category" required defaultValue={defaults.categoryId ?? ''}>
          <option value="" disabled>
            Choose a category
          </option>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.path}
            </option>
          ))}
        </SelectField>
      </div>
      <TextAreaField name="description" label="Description" maxLength={5000} defaultValue={defaults.description} />
      <div className="row">
        <Field name="imageUrl" label="Image URL" maxLength={2000} defaultValue={defaults.imageUrl} hint="http(s) URL or a path like /media/products/x.svg" />
        <Field name="imageAlt" label="Image description (alt text)" maxLength={300} defaultValue={defaults.imageAlt} />
      </div>
    </>
  );
}
