// Placeholder: replaced by the page that owns it.
export function DepartmentNav() {
  return null;
}
