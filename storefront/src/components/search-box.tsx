// Placeholder: replaced by the page that owns it.
export function SearchBox() {
  return null;
}
