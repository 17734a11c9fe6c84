import { describe, expect, it } from 'vitest';
import { formatIPv6, formatPrefix, maskWords, parseIPv4, parseIPv6, parsePrefix } from '../../src/routes/addr.js';
import { PrefixTrie } from '../../src/routes/trie.js';
import { createRng } from '../../src/util/random.js';

/** Does prefix (words, len) cover address a? Plain bit comparison, no trie. */
function covers(pw: Uint32Array, len: number, a: Uint32Array): boolean {
  for (let b = 0; b < len; b++) {
    const k = b >>> 5;
    const bit = 31 - (b & 31);
    if (((pw[k] >>> bit) & 1) !== ((a[k] >>> bit) & 1)) return false;
  }
  return true;
}

describe('addresses', () => {
  it('parses and rejects IPv4', () => {
    expect(parseIPv4('192.0.2.1')).toBe(0xc0000201);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', 'a.b.c.d', '']) expect(parseIPv4(bad)).toBe(-1);
  });

  it('parses IPv6 with :: and embedded IPv4, and formats per RFC 5952', () => {
    const w = new Uint32Array(4);
    expect(parseIPv6('2001:db8::1', w)).toBe(true);
    expect(Array.from(w)).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseIPv6('::ffff:192.0.2.1', w)).toBe(true);
    expect(Array.from(w)).toEqual([0, 0, 0xffff, 0xc0000201]);
    expect(parseIPv6('::', w)).toBe(true);
    expect(formatIPv6(w)).toBe('::');
    parseIPv6('2001:0DB8:0000:0000:0001:0000:0000:0001', w);
    expect(formatIPv6(w)).toBe('2001:db8::1:0:0:1');
    parseIPv6('2001:db8:0:1:1:1:1:1', w);
    expect(formatIPv6(w)).toBe('2001:db8:0:1:1:1:1:1');
    for (const bad of ['2001:db8::1::2', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', '2001:db8:', ':1']) expect(parseIPv6(bad, w)).toBe(false);
  });

  it('canonicalises prefixes and refuses host bits', () => {
    expect(formatPrefix(parsePrefix('2001:DB8:0::/32') as never)).toBe('2001:db8::/32');
    expect(parsePrefix('192.0.2.1/24')).toBe('must have no host bits set after the prefix length');
    expect(parsePrefix('192.0.2.0/33')).toBe('must have an IPv4 prefix length in [0, 32]');
    expect(parsePrefix('192.0.2.0')).toMatch(/must be a prefix/);
  });
});

describe('PrefixTrie longest-prefix match', () => {
  it('agrees with a brute-force scan on random IPv4 prefixes', () => {
    const rng = createRng(42);
    const trie = new PrefixTrie();
    const prefixes: Array<{ w: Uint32Array; len: number; id: number }> = [];
    for (let k = 0; k < 2000; k++) {
      // cluster in a few /8s so that prefixes nest
      const w = new Uint32Array([((rng.int(4) + 10) * 2 ** 24 + rng.int(2 ** 24)) >>> 0, 0, 0, 0]);
      const len = rng.int(33);
      maskWords(w, len, 4);
      const id = trie.insert4(w[0], len, prefixes.length);
      if (id === prefixes.length) prefixes.push({ w, len, id });
    }
    for (let q = 0; q < 5000; q++) {
      const a = new Uint32Array([((rng.int(4) + 10) * 2 ** 24 + rng.int(2 ** 24)) >>> 0, 0, 0, 0]);
      let best = -1;
      let bestLen = -1;
      for (const p of prefixes) if (p.len > bestLen && covers(p.w, p.len, a)) {
        best = p.id;
        bestLen = p.len;
      }
      expect(trie.lookup4(a[0])).toBe(best);
      expect(trie.lookup4Slow(a[0])).toBe(best);
    }
  });

  it('agrees with a brute-force scan on random IPv6 prefixes', () => {
    const rng = createRng(7);
    const trie = new PrefixTrie();
    const prefixes: Array<{ w: Uint32Array; len: number; id: number }> = [];
    const randomAddr = () => new Uint32Array([(0x20010db8 + rng.int(3)) >>> 0, rng.int(4) >>> 0, (rng.int(2 ** 32) & 0xff000000) >>> 0, rng.int(2 ** 32) >>> 0]);
    for (let k = 0; k < 2000; k++) {
      const w = randomAddr();
      const len = rng.int(129);
      maskWords(w, len, 6);
      const id = trie.insert6(w, len, prefixes.length);
      if (id === prefixes.length) prefixes.push({ w, len, id });
    }
    for (let q = 0; q < 3000; q++) {
      const a = randomAddr();
      let best = -1;
      let bestLen = -1;
      for (const p of prefixes) if (p.len > bestLen && covers(p.w, p.len, a)) {
        best = p.id;
        bestLen = p.len;
      }
      expect(trie.lookup6(a[0], a[1], a[2], a[3])).toBe(best);
      expect(trie.lookup6Slow(a[0], a[1], a[2], a[3])).toBe(best);
    }
  });

  it('keeps the first id for a duplicate prefix and finds exact matches only', () => {
    const trie = new PrefixTrie();
    expect(trie.insert4(0x0a000000, 8, 0)).toBe(0);
    expect(trie.insert4(0x0a000000, 8, 1)).toBe(0);
    expect(trie.exact4(0x0a000000, 8)).toBe(0);
    expect(trie.exact4(0x0a000000, 16)).toBe(-1);
    expect(trie.lookup4(0x0b000000)).toBe(-1);
    trie.insert4(0, 0, 5);
    expect(trie.lookup4(0x0b000000)).toBe(5);
  });
});
