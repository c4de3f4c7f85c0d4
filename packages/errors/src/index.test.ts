import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode, maskError } from './index.js';

describe('maskError', () => {
  it('keeps a known code and its message, without a stack trace', () => {
    const error = new AppError(ErrorCode.EMAIL_TAKEN, 'That email is already registered.');
    const formatted = maskError(
      { message: error.message, extensions: { code: 'EMAIL_TAKEN', stacktrace: ['at x'] } },
      error,
    );
    expect(formatted).toEqual({ message: 'That email is already registered.', extensions: { code: 'EMAIL_TAKEN' } });
  });

  it('hides an unexpected error behind INTERNAL_SERVER_ERROR and reports the original', () => {
    const seen: unknown[] = [];
    const original = new Error('relation "users" does not exist');
    const formatted = maskError(
      { message: original.message, path: ['me'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at db'] } },
      new GraphQLError(original.message, { originalError: original }),
      { onInternalError: (e) => seen.push(e) },
    );
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(formatted.message).not.toContain('relation');
    expect(formatted.path).toEqual(['me']);
    expect(seen).toHaveLength(1);
  });
});
