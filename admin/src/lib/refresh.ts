import { graphql } from '@/graphql/generated';

export const RefreshSessionMutation = graphql(`
  mutation AdminRefreshSession($input: RefreshSessionInput!) {
    refreshSession(input: $input) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
    }
  }
`);

/** `rejected`: the refresh token is spent or revoked (sign in again); `unavailable`: try again later. */
export type RefreshOutcome = { kind: 'ok'; tokens: RefreshedTokens } | { kind: 'rejected' } | { kind: 'unavailable' };

export interface RefreshedTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/**
 * Refresh tokens are single-use, and reusing one revokes the whole session, so
 * requests that arrive together (a page, its prefetches, the live socket's
 * token) must share one refresh: the first starts it, the others await the
 * same promise, which is remembered for a minute.
 */
const inFlight = new Map<string, { promise: Promise<RefreshOutcome>; at: number }>();
const REMEMBER_MS = 60_000;

export function refreshSessionOnce(routerUrl: string, refreshToken: string): Promise<RefreshOutcome> {
  const now = Date.now();
  for (const [token, entry] of inFlight) if (now - entry.at > REMEMBER_MS) inFlight.delete(token);
  const existing = inFlight.get(refreshToken);
  if (existing) return existing.promise;
  const promise = refresh(routerUrl, refreshToken);
  inFlight.set(refreshToken, { promise, at: now });
  return promise;
}

async function refresh(routerUrl: string, refreshToken: string): Promise<RefreshOutcome> {
  try {
    const response = await fetch(routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: RefreshSessionMutation.toString(), variables: { input: { refreshToken } } }),
      cache: 'no-store',
      signal: AbortSignal.timeout(5_000),
    });
    const payload = (await response.json()) as {
      data?: { refreshSession?: RefreshedTokens } | null;
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
