/**
 * Splits text into parts of at most `max` characters (counted in UTF-16 units, as the platforms count),
 * preferring paragraph, then line, then word boundaries, and never cutting a surrogate pair. Parts keep
 * their order; joining them with the boundary they were cut at gives the original text back.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new RangeError('max must be at least 2');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = findCut(rest, max);
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[ \t]*\n?/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts.filter((part, index) => part.length > 0 || index === 0);
}

function findCut(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const boundary of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(boundary);
    // A boundary too early would make many tiny parts; take it only in the second half.
    if (at > max / 2) return at + (boundary === ' ' ? 1 : boundary.length);
  }
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}
