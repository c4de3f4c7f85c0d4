/** "Rated 4.2 out of 5, 12 reviews" for screen readers; stars and numbers for the eye. */
export function Rating({ average, count, compact = false }: { average: number | null | undefined; count: number; compact?: boolean }) {
  if (!count || average === null || average === undefined) {
    return compact ? null : <p className="rating rating--none muted">No reviews yet</p>;
  }
  const rounded = Math.round(average * 10) / 10;
  const filled = Math.round(average);
  const label = `Rated ${rounded.toFixed(1)} out of 5, ${count} ${count === 1 ? 'review' : 'reviews'}`;
  return (
    <p className="rating">
      <span className="visually-hidden">{label}</span>
      <span aria-hidden="true">
        <span className="rating__stars">
          {'★'.repeat(filled)}
          <span className="rating__empty">{'★'.repeat(5 - filled)}</span>
        </span>{' '}
        {rounded.toFixed(1)} <span className="muted">({count})</span>
      </span>
    </p>
  );
}
