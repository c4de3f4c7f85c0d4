/** Which address a request's budget belongs to (ROUTER_TRUSTED_PROXIES). */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@commerce/observability';
import { startProtection } from '../src/protection.ts';

const logger = createLogger({ service: 'router-protection-test', level: 'silent' });
const request = (remoteAddress: string, forwardedFor?: string): IncomingMessage =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('client address', () => {
  const protection = startProtection({ safelist: false, rateLimit: false, trustedProxies: ['10.0.0.0/8', '192.168.1.5'] }, true, logger);

  it('is the socket address unless the socket is a trusted proxy', () => {
    expect(protection.clientAddress(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
    expect(protection.clientAddress(request('::ffff:203.0.113.9'))).toBe('203.0.113.9');
  });

  it('behind trusted proxies: the last X-Forwarded-For hop that is not one of them', () => {
    expect(protection.clientAddress(request('10.1.2.3', '198.51.100.1, 192.168.1.5'))).toBe('198.51.100.1');
    expect(protection.clientAddress(request('::ffff:10.1.2.3', 'spoofed, 198.51.100.7, 10.9.9.9'))).toBe('198.51.100.7');
  });

  it('a trusted proxy that names no client (the storefront rendering for many shoppers) has no address budget', () => {
    expect(protection.clientAddress(request('10.1.2.3'))).toBe('');
    expect(protection.clientAddress(request('10.1.2.3', '10.4.4.4'))).toBe('');
  });
});
