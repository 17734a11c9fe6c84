/**
 * IP addresses and prefixes as numbers: IPv4 as one unsigned 32-bit integer,
 * IPv6 as four 32-bit words (most significant first). Parsers work on a range
 * of a string so hot readers need not cut substrings. Prefixes are kept in
 * canonical form (host bits cleared, IPv6 per RFC 5952) so that text from
 * different tools matches.
 *
 * Not modelled: zone indices (`fe80::1%eth0`), IPv4 shorthand (`10.1`),
 * leading-zero octets (rejected, as modern inet_pton does).
 */

/** Parse dotted-quad IPv4 in s[start, end); returns the address as uint32, or -1. */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      acc = acc * 256 + octet;
      octet = 0;
      digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return acc * 256 + octet;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parse IPv6 text in s[start, end) into `out` (4 words). Accepts `::`
 * compression and a trailing embedded IPv4 (`::ffff:192.0.2.1`). Returns false
 * on malformed input.
 */
export function parseIPv6(s: string, out: Uint32Array | number[], start = 0, end = s.length): boolean {
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let n = 0;
  let gap = -1;
  let i = start;
  if (end - start < 2) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      out[0] = out[1] = out[2] = out[3] = 0;
      return true;
    }
  }
  while (i < end) {
    if (n >= 8) return false;
    // look ahead for an embedded IPv4 in this group
    let j = i;
    let v = 0;
    let hexDigits = 0;
    while (j < end) {
      const h = hexVal(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      if (++hexDigits > 4) return false;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 46) {
      // embedded IPv4: must be the last thing
      const v4 = parseIPv4(s, i, end);
      if (v4 < 0 || n > 6) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (hexDigits === 0) return false;
    groups[n++] = v;
    i = j;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) return false; // trailing single colon
  }
  if (gap >= 0 ? n > 7 : n !== 8) return false;
  // Group k of the full address: before the gap as written, after it shifted by the zeros.
  const zeros = 8 - n;
  const at = (k: number) => (gap < 0 || k < gap ? groups[k] : k < gap + zeros ? 0 : groups[k - zeros]);
  for (let k = 0; k < 4; k++) out[k] = ((at(2 * k) << 16) | at(2 * k + 1)) >>> 0;
  return true;
}

export function formatIPv4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text: lower case, no leading zeros, longest run (>= 2) of zero groups as `::`. */
export function formatIPv6(w: ArrayLike<number>): string {
  const g: number[] = [];
  for (let k = 0; k < 4; k++) g.push(w[k] >>> 16, w[k] & 0xffff);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestLen = j - i;
      bestStart = i;
    }
    i = j;
  }
  const hex = (x: number) => x.toString(16);
  if (bestLen < 2) return g.map(hex).join(':');
  return `${g.slice(0, bestStart).map(hex).join(':')}::${g.slice(bestStart + bestLen).map(hex).join(':')}`;
}

export interface Prefix {
  family: 4 | 6;
  /** IPv4: words[0] only. */
  words: Uint32Array;
  length: number;
}

/** Clear host bits in place. */
export function maskWords(words: Uint32Array, length: number, family: 4 | 6): void {
  const nWords = family === 4 ? 1 : 4;
  for (let k = 0; k < nWords; k++) {
    const keep = Math.max(0, Math.min(32, length - 32 * k));
    words[k] = keep === 0 ? 0 : keep === 32 ? words[k] : (words[k] & ~(0xffffffff >>> keep)) >>> 0;
  }
}

/**
 * Parse `a.b.c.d/len` or `x::/len`. Host bits must be clear unless `allowHostBits`.
 * Returns a string describing the problem on failure.
 */
export function parsePrefix(text: string, opts: { allowHostBits?: boolean } = {}): Prefix | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'must be a prefix such as 192.0.2.0/24 or 2001:db8::/32';
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return 'must have a prefix length after "/"';
  const length = Number(lenText);
  const words = new Uint32Array(4);
  let family: 4 | 6;
  if (text.indexOf(':') >= 0) {
    if (!parseIPv6(text, words, 0, slash)) return 'must be a prefix such as 2001:db8::/32 (bad IPv6 address)';
    if (length > 128) return 'must have an IPv6 prefix length in [0, 128]';
    family = 6;
  } else {
    const a = parseIPv4(text, 0, slash);
    if (a < 0) return 'must be a prefix such as 192.0.2.0/24 (bad IPv4 address)';
    if (length > 32) return 'must have an IPv4 prefix length in [0, 32]';
    words[0] = a;
    family = 4;
  }
  const before = words.slice();
  maskWords(words, length, family);
  if (!opts.allowHostBits && (before[0] !== words[0] || before[1] !== words[1] || before[2] !== words[2] || before[3] !== words[3])) {
    return 'must have no host bits set after the prefix length';
  }
  return { family, words, length };
}

export function formatPrefix(p: Prefix): string {
  return `${p.family === 4 ? formatIPv4(p.words[0]) : formatIPv6(p.words)}/${p.length}`;
}

/** Canonical text of a prefix, or undefined when malformed. */
export function canonicalPrefix(text: string): string | undefined {
  const p = parsePrefix(text);
  return typeof p === 'string' ? undefined : formatPrefix(p);
}
