import { createSessionRefresher } from '@commerce/next-kit/refresh';
import { graphql } from '@/graphql/generated';

export const RefreshSessionMutation = graphql(`
  mutation RefreshSession($input: RefreshSessionInput!) {
    refreshSession(input: $input) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
    }
  }
`);

/** One refresh per refresh token, shared by the requests that arrive together (see createSessionRefresher). */
export const refreshSessionOnce = createSessionRefresher(RefreshSessionMutation);
