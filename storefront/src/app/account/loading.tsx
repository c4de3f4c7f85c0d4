/** While a personal page loads (every account read goes to the graph uncached). */
export default function AccountLoading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      <p>Loading your account…</p>
    </div>
  );
}
