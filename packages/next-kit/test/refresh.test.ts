/**
 * The shared token refresh against a real HTTP server standing in for the
 * router: one refresh per refresh token however many requests ask at once,
 * and the router's answers mapped to ok / rejected / unavailable.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionRefresher } from '../src/refresh.ts';

const DOCUMENT = 'mutation TestRefreshSession($input: RefreshSessionInput!) { refreshSession(input: $input) { accessToken } }';
const received: { query: string; refreshToken: string }[] = [];
let server: Server;
let url: string;

function tokensFor(refreshToken: string) {
  return {
    accessToken: `at-for-${refreshToken}`,
    accessTokenExpiresAt: '2030-01-01T00:00:00.000Z',
    refreshToken: `next-${refreshToken}`,
    refreshTokenExpiresAt: '2030-02-01T00:00:00.000Z',
  };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const { query, variables } = JSON.parse(body) as { query: string; variables: { input: { refreshToken: string } } };
      const { refreshToken } = variables.input;
      received.push({ query, refreshToken });
      response.setHeader('content-type', 'application/json');
      // Answer late, so that requests arriving together overlap.
      setTimeout(() => {
        if (refreshToken.startsWith('spent')) response.end(JSON.stringify({ data: null, errors: [{ message: 'spent', extensions: { code: 'INVALID_REFRESH_TOKEN' } }] }));
        else if (refreshToken.startsWith('down')) response.end(JSON.stringify({ data: null, errors: [{ message: 'down', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }));
        else response.end(JSON.stringify({ data: { refreshSession: tokensFor(refreshToken) } }));
      }, 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('createSessionRefresher', () => {
  it('sends the app’s document once for requests that arrive together, and all of them get the same new tokens', async () => {
    const refreshSessionOnce = createSessionRefresher({ toString: () => DOCUMENT });
    const outcomes = await Promise.all([1, 2, 3].map(() => refreshSessionOnce(url, 'rt-together')));
    expect(received.filter((entry) => entry.refreshToken === 'rt-together')).toEqual([{ query: DOCUMENT, refreshToken: 'rt-together' }]);
    for (const outcome of outcomes) expect(outcome).toEqual({ kind: 'ok', tokens: tokensFor('rt-together') });
  });

  it('keeps separate refreshers apart: each app shares refreshes only among its own requests', async () => {
    const storefront = createSessionRefresher({ toString: () => DOCUMENT });
    const admin = createSessionRefresher({ toString: () => DOCUMENT });
    await Promise.all([storefront(url, 'rt-two-apps'), admin(url, 'rt-two-apps')]);
    expect(received.filter((entry) => entry.refreshToken === 'rt-two-apps')).toHaveLength(2);
  });

  it('maps a spent refresh token to rejected, a router error to unavailable, and a router that is down to unavailable', async () => {
    const refreshSessionOnce = createSessionRefresher({ toString: () => DOCUMENT });
    expect(await refreshSessionOnce(url, 'spent-1')).toEqual({ kind: 'rejected' });
    expect(await refreshSessionOnce(url, 'down-1')).toEqual({ kind: 'unavailable' });
    expect(await refreshSessionOnce('http://127.0.0.1:1/graphql', 'rt-nowhere')).toEqual({ kind: 'unavailable' });
  });
});
