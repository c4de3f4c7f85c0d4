// Placeholder: replaced by the page that owns it.
export function NotificationBell({ liveUrl }: { liveUrl: string }) {
  return null;
}
