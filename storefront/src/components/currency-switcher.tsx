// Placeholder: replaced by the page that owns it.
export function CurrencySwitcher({ current }: { current: string }) {
  return null;
}
