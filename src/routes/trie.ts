/**
 * Longest-prefix match over IPv4 and IPv6 prefixes, in typed arrays.
 *
 * Prefixes are inserted into a binary (one bit per level) trie:
 * `child[2 * node + bit]` is the child index (0 = none; node 0 is the root and
 * never a child) and `value[node]` the id stored at that prefix (-1 = none).
 * For lookups the binary trie is compiled, on first use after an insert, into
 * a multibit trie with controlled prefix expansion (as in DIR-24-8 and
 * Srinivasan-Varghese): strides 16/8/8 for IPv4, so a lookup touches at most
 * 3 entries instead of walking 32 nodes (a full table has millions of binary
 * nodes, and each step is a cache miss); 16 then 4-bit strides for IPv6,
 * whose sparse tables would blow up with wide strides. Every entry holds the
 * best match so far, so the deepest entry reached is the answer.
 *
 * Deletion is not supported (the route table keeps withdrawn prefixes and
 * marks the routes absent instead).
 */

class BitTrie {
  child: Int32Array;
  value: Int32Array;
  size = 1;

  constructor(initial = 1024) {
    this.child = new Int32Array(2 * initial);
    this.value = new Int32Array(initial).fill(-1);
  }

  private grow(): void {
    const cap = this.value.length * 2;
    const child = new Int32Array(2 * cap);
    child.set(this.child);
    const value = new Int32Array(cap).fill(-1);
    value.set(this.value);
    this.child = child;
    this.value = value;
  }

  /** Child of `node` along `bit`, created when missing. */
  step(node: number, bit: number): number {
    const at = 2 * node + bit;
    let next = this.child[at];
    if (next === 0) {
      if (this.size === this.value.length) this.grow();
      next = this.size++;
      this.child[at] = next;
    }
    return next;
  }
}

/**
 * A compiled multibit trie: nodes of 2^stride entries, each entry two int32
 * side by side (one cache line serves both): `e[2k]` the best match so far,
 * `e[2k + 1]` the entry index where the child node starts (0 = none).
 */
class StrideTable {
  e = new Int32Array(1 << 17);
  /** Entries in use. */
  size = 0;

  constructor(
    private readonly trie: BitTrie,
    readonly strides: number[],
  ) {
    this.build(0, 0, trie.value[0]);
  }

  private alloc(count: number): number {
    const base = this.size;
    if (2 * (base + count) > this.e.length) {
      let cap = this.e.length * 2;
      while (cap < 2 * (base + count)) cap *= 2;
      const e = new Int32Array(cap);
      e.set(this.e);
      this.e = e;
    }
    this.size += count;
    return base;
  }

  private build(binNode: number, level: number, inherited: number): number {
    const s = this.strides[level];
    const base = this.alloc(1 << s);
    this.expand(binNode, level, base, s, 0, 0, inherited);
    return base;
  }

  private expand(node: number, level: number, base: number, s: number, consumed: number, bits: number, best: number): void {
    if (consumed === s) {
      const k = base + bits;
      this.e[2 * k] = best;
      const t = this.trie;
      if (level + 1 < this.strides.length && (t.child[2 * node] !== 0 || t.child[2 * node + 1] !== 0)) {
        const c = this.build(node, level + 1, best);
        this.e[2 * k + 1] = c;
      }
      return;
    }
    for (let b = 0; b < 2; b++) {
      const c = this.trie.child[2 * node + b];
      const nextBits = (bits << 1) | b;
      if (c === 0) {
        const span = 1 << (s - consumed - 1);
        const from = base + nextBits * span;
        const e = this.e;
        for (let k = from; k < from + span; k++) e[2 * k] = best;
      } else {
        const v = this.trie.value[c];
        this.expand(c, level, base, s, consumed + 1, nextBits, v >= 0 ? v : best);
      }
    }
  }
}

const V4_STRIDES = [16, 8, 8];
const V6_STRIDES = [16, ...new Array<number>(28).fill(4)];

export class PrefixTrie {
  private readonly v4 = new BitTrie();
  private readonly v6 = new BitTrie();
  private fast4: StrideTable | undefined;
  private fast6: StrideTable | undefined;

  /** Nodes in use (both families), for memory accounting. */
  get nodes(): number {
    return this.v4.size + this.v6.size;
  }

  /**
   * Store `value` at the IPv4 prefix unless one is there already; returns the
   * value now stored (the existing one or `value`).
   */
  insert4(addr: number, length: number, value: number): number {
    this.fast4 = undefined;
    const t = this.v4;
    let node = 0;
    for (let i = 0; i < length; i++) node = t.step(node, (addr >>> (31 - i)) & 1);
    if (t.value[node] < 0) t.value[node] = value;
    return t.value[node];
  }

  insert6(w: ArrayLike<number>, length: number, value: number): number {
    this.fast6 = undefined;
    const t = this.v6;
    let node = 0;
    for (let i = 0; i < length; i++) node = t.step(node, (w[i >>> 5] >>> (31 - (i & 31))) & 1);
    if (t.value[node] < 0) t.value[node] = value;
    return t.value[node];
  }

  /** Id of the most specific stored prefix covering `addr`, or -1. */
  lookup4(addr: number): number {
    const t = (this.fast4 ??= new StrideTable(this.v4, V4_STRIDES)).e;
    let k = 2 * (addr >>> 16);
    let c = t[k + 1];
    if (c === 0) return t[k];
    k = 2 * (c + ((addr >>> 8) & 255));
    c = t[k + 1];
    if (c === 0) return t[k];
    return t[2 * (c + (addr & 255))];
  }

  lookup6(w0: number, w1: number, w2: number, w3: number): number {
    const t = (this.fast6 ??= new StrideTable(this.v6, V6_STRIDES)).e;
    let k = 2 * (w0 >>> 16);
    let c = t[k + 1];
    let pos = 16;
    while (c !== 0) {
      const word = pos < 32 ? w0 : pos < 64 ? w1 : pos < 96 ? w2 : w3;
      k = 2 * (c + ((word >>> (28 - (pos & 31))) & 15));
      c = t[k + 1];
      pos += 4;
    }
    return t[k];
  }

  /** Binary-trie walk (the reference the compiled tables are tested against). */
  lookup4Slow(addr: number): number {
    const child = this.v4.child;
    const value = this.v4.value;
    let best = value[0];
    let node = 0;
    for (let i = 31; i >= 0; i--) {
      node = child[2 * node + ((addr >>> i) & 1)];
      if (node === 0) break;
      const v = value[node];
      if (v >= 0) best = v;
    }
    return best;
  }

  lookup6Slow(w0: number, w1: number, w2: number, w3: number): number {
    const child = this.v6.child;
    const value = this.v6.value;
    let best = value[0];
    let node = 0;
    let word = w0;
    for (let i = 0; i < 128; i++) {
      if (i === 32) word = w1;
      else if (i === 64) word = w2;
      else if (i === 96) word = w3;
      node = child[2 * node + ((word >>> (31 - (i & 31))) & 1)];
      if (node === 0) break;
      const v = value[node];
      if (v >= 0) best = v;
    }
    return best;
  }

  /** Exact-match lookup (no longest-prefix fallback). */
  exact4(addr: number, length: number): number {
    const t = this.v4;
    let node = 0;
    for (let i = 0; i < length; i++) {
      node = t.child[2 * node + ((addr >>> (31 - i)) & 1)];
      if (node === 0) return -1;
    }
    return t.value[node];
  }

  exact6(w: ArrayLike<number>, length: number): number {
    const t = this.v6;
    let node = 0;
    for (let i = 0; i < length; i++) {
      node = t.child[2 * node + ((w[i >>> 5] >>> (31 - (i & 31))) & 1)];
      if (node === 0) return -1;
    }
    return t.value[node];
  }
}
