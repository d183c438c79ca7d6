/** Message payloads are JSON text; anything else reads as undefined, which every schema then rejects with a path. */
export function jsonOrUndefined(data: Uint8Array | string): unknown {
  try {
    return JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
