const MAX_ECHO = 80;

/**
 * User input as an error line may echo it: quoted, control bytes escaped, cut
 * to `max` characters with "…" and the full length, so a 100k character flag
 * or a binary spec never floods a terminal or writes escape sequences to it.
 */
export function quote(text: string, max = MAX_ECHO): string {
  const chars = [...text];
  if (chars.length <= max) return escapeControls(JSON.stringify(text));
  return `${escapeControls(JSON.stringify(chars.slice(0, max).join(''))).slice(0, -1)}…" (${chars.length} characters)`;
}

/** Text that may quote input (a parser's message), cut and with control bytes escaped as JSON does, unquoted. */
export function clip(text: string, max = MAX_ECHO * 2): string {
  const chars = [...text];
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
  return escapeControls(JSON.stringify(cut).slice(1, -1));
}

/** A URL's password never reaches a log or an error line: nats://user:secret@host -> nats://user:***@host. */
export function redactUrls(text: string): string {
  return text.replace(/\b([a-z][\w+.-]*:\/\/[^\s:@/]*):[^\s@/]*@/gi, '$1:***@');
}

/** JSON escapes C0 controls; DEL, C1 controls and the line separators it leaves raw. */
function escapeControls(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
