// Placeholder: replaced by the page that owns it.
export function CartBadge({ liveUrl }: { liveUrl: string }) {
  return null;
}
