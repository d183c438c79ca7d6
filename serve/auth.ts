import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie `/login?token=` sets, so a browser's page loads and EventSource (which cannot send headers) carry the token. */
export const TOKEN_COOKIE = 'kevo_token';

/** Addresses only this machine can reach: the default, where no token is needed. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The bearer token a request carries, from its Authorization header or its cookie. */
export function presentedToken(request: IncomingMessage): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === TOKEN_COOKIE) return decoded(value.join('='));
  }
  return undefined;
}

/** A malformed escape is a wrong token (401), not a failed request. */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Compared in constant time: equal-length digests, so neither content nor length leaks through timing. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
