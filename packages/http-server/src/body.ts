/** Request bodies, bounded: nothing past the limit is buffered. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@commerce/errors';
import { sendGraphQLError } from './respond.ts';

export class PayloadTooLarge extends Error {
  readonly status = 413;
  readonly code = ErrorCode.PAYLOAD_TOO_LARGE;
  constructor(readonly limit: number) {
    super(`The request body exceeds ${limit} bytes.`);
  }
}

/** The body as received, or PayloadTooLarge past `limit` bytes (declared or actual). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new PayloadTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        // Stop buffering; answer with `connection: close` (see sendTooLarge) so the unread rest goes with the socket.
        req.pause();
        reject(new PayloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const essence = (value.split(';', 1)[0] ?? '').trim().toLowerCase();
  return essence === 'application/json' || essence.endsWith('+json');
}

/** 413 as a GraphQL-shaped error; the connection closes, dropping what was not read. */
export function sendTooLarge(res: ServerResponse, error: PayloadTooLarge): void {
  sendGraphQLError(res, error.status, error.code, error.message, { headers: { connection: 'close' } });
}

/**
 * The body of a GraphQL request, ready for Apollo Server: parsed JSON for a
 * JSON POST, the raw text for other POSTs (Apollo answers those itself, with
 * its CSRF rules), undefined for GET. Answers 413 or 400 itself and returns
 * `{ answered: true }` then.
 */
export async function readGraphQLBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<{ answered: true } | { answered: false; body: unknown }> {
  if ((req.method ?? 'GET').toUpperCase() !== 'POST') return { answered: false, body: undefined };
  let raw: string;
  try {
    raw = (await readBody(req, limit)).toString('utf8');
  } catch (error) {
    if (error instanceof PayloadTooLarge) {
      sendTooLarge(res, error);
      return { answered: true };
    }
    throw error;
  }
  if (!isJsonContentType(req.headers['content-type'])) return { answered: false, body: raw };
  try {
    return { answered: false, body: JSON.parse(raw) };
  } catch {
    sendGraphQLError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
    return { answered: true };
  }
}

/** Incoming headers as name/value pairs (repeated ones joined), e.g. for Apollo's HeaderMap. */
export function headerEntries(headers: IncomingHttpHeaders): [string, string][] {
  const entries: [string, string][] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) entries.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  return entries;
}
