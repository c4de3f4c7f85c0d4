/**
 * Renews a session with the users subgraph's rotating refresh token. The app
 * hands in its own typed RefreshSession document (each app names its
 * operation, for its operation manifest); this module has no `server-only`
 * mark because src/proxy.ts uses it.
 */

/** What the router answers for a session: the pair of tokens and when each expires. */
export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** `rejected`: the refresh token is spent or revoked (sign in again); `unavailable`: try again later. */
export type RefreshOutcome = { kind: 'ok'; tokens: SessionTokens } | { kind: 'rejected' } | { kind: 'unavailable' };

/** The app's refresh mutation (a codegen TypedDocumentString): only its text is sent. */
export interface RefreshDocument {
  toString(): string;
}

export type RefreshSessionOnce = (routerUrl: string, refreshToken: string) => Promise<RefreshOutcome>;

/** How long a refresh's outcome is shared with the requests that arrive with the same refresh token. */
const REMEMBER_MS = 60_000;

/**
 * Refresh tokens are single-use, and reusing one revokes the whole session, so
 * requests that arrive together (a page, its prefetches, the live socket's
 * token) must share one refresh: the first starts it, the others await the
 * same promise, which is remembered for a minute.
 */
export function createSessionRefresher(document: RefreshDocument): RefreshSessionOnce {
  const inFlight = new Map<string, { promise: Promise<RefreshOutcome>; at: number }>();
  return (routerUrl, refreshToken) => {
    const now = Date.now();
    for (const [token, entry] of inFlight) if (now - entry.at > REMEMBER_MS) inFlight.delete(token);
    const existing = inFlight.get(refreshToken);
    if (existing) return existing.promise;
    const promise = refresh(document, routerUrl, refreshToken);
    inFlight.set(refreshToken, { promise, at: now });
    return promise;
  };
}

async function refresh(document: RefreshDocument, routerUrl: string, refreshToken: string): Promise<RefreshOutcome> {
  try {
    const response = await fetch(routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: document.toString(), variables: { input: { refreshToken } } }),
      cache: 'no-store',
      signal: AbortSignal.timeout(5_000),
    });
    const payload = (await response.json()) as {
      data?: { refreshSession?: SessionTokens } | null;
      errors?: { extensions?: { code?: string } }[];
    };
    if (payload.data?.refreshSession) return { kind: 'ok', tokens: payload.data.refreshSession };
    const code = payload.errors?.[0]?.extensions?.code;
    return code === 'INVALID_REFRESH_TOKEN' || code === 'BAD_USER_INPUT' ? { kind: 'rejected' } : { kind: 'unavailable' };
  } catch {
    // Router down: keep the refresh token, the next request tries again.
    return { kind: 'unavailable' };
  }
}
