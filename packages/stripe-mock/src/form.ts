/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracket
 * nesting, as stripe-node writes it (`metadata[order_id]=…`,
 * `payment_method_types[0]=card`). Values stay strings, as on the wire; the
 * endpoints coerce them (integers, booleans) and answer Stripe-shaped
 * validation errors.
 */

export type FormValue = string | FormParams | FormValue[];
export interface FormParams {
  [key: string]: FormValue;
}

/** `a[b][0]` → ['a', 'b', '0']; a malformed key is kept whole. */
function keyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  const rest = key.slice(open);
  const re = /\[([^\]]*)\]/g;
  let consumed = 0;
  for (let match = re.exec(rest); match; match = re.exec(rest)) {
    if (match.index !== consumed) return [key];
    path.push(match[1]!);
    consumed = re.lastIndex;
  }
  return consumed === rest.length ? path : [key];
}

/** Objects whose keys are all 0..n-1 become arrays (stripe-node's indexed array format). */
function arraysFromIndexedObjects(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: FormParams = {};
  for (const key of keys) converted[key] = arraysFromIndexedObjects(value[key]!);
  const indexed = keys.length > 0 && keys.every((key, i) => key === String(i));
  return indexed ? keys.map((key) => converted[key]!) : converted;
}

export function decodeForm(body: string): FormParams {
  const root: FormParams = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = keyPath(rawKey);
    let node: FormParams = root;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i]!;
      // `expand[]=a&expand[]=b`: an empty index appends.
      const existing = node[segment];
      if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) node[segment] = {};
      node = node[segment] as FormParams;
    }
    const last = path[path.length - 1]!;
    node[last === '' ? String(Object.keys(node).length) : last] = value;
  }
  return arraysFromIndexedObjects(root) as FormParams;
}

/** Key-order independent rendering, for comparing the parameters of two requests. */
export function canonicalParams(value: FormValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalParams(value[key])}`)
    .join(',')}}`;
}
