/** Request header src/proxy.ts sets to the path asked for, so a sign-in redirect can come back to it. */
export const PATH_HEADER = 'x-admin-path';
