import { Field, SelectField, TextAreaField } from '@/components/form';
import type { CategoryOption } from '@/lib/categories';

export interface ProductDefaults {
  name?: string;
  brand?: string | null;
  description?: string;
  categoryId?: string;
  images?: { url: string; altText: string }[];
}

/** How many images the forms offer. */
export const IMAGE_SLOTS = [0, 1, 2] as const;

/** The product's own fields, shared by the create and edit forms. Image inputs are named as the graph's fields (images[1].url), so its errors land on them. */
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
      <fieldset>
        <legend>Images (in display order)</legend>
        <p className="field__hint">An http(s) URL, or a path on the storefront like /media/products/x.svg. Empty rows are left out.</p>
        {IMAGE_SLOTS.map((slot) => (
          <div className="row" key={slot}>
            <Field
              name={`images[${slot}].url`}
              label={`Image ${slot + 1} URL`}
              maxLength={2000}
              pattern="(https?://\S+|/[^\/]\S*)"
              title="An http(s) URL, or a path like /media/products/x.svg"
              defaultValue={defaults.images?.[slot]?.url}
            />
            <Field name={`images[${slot}].altText`} label={`Image ${slot + 1} description (alt text)`} maxLength={300} defaultValue={defaults.images?.[slot]?.altText} />
          </div>
        ))}
      </fieldset>
    </>
  );
}
