/**
 * A binary (one bit per level) trie over IPv4 and IPv6 prefixes, stored in
 * typed arrays: `child[2 * node + bit]` is the child index (0 = none; node 0
 * is the root and never a child) and `value[node]` is the id stored at that
 * prefix (-1 = none). Longest-prefix match walks at most 32 (IPv4) or 128
 * (IPv6) levels without allocating.
 *
 * Not path-compressed: a full IPv4 table (about 1M prefixes) takes a few
 * million nodes, about 12 bytes each. Deletion is not supported (the route
 * table keeps withdrawn prefixes and marks the routes absent instead).
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

export class PrefixTrie {
  private readonly v4 = new BitTrie();
  private readonly v6 = new BitTrie();

  /** Nodes in use (both families), for memory accounting. */
  get nodes(): number {
    return this.v4.size + this.v6.size;
  }

  /**
   * Store `value` at the IPv4 prefix unless one is there already; returns the
   * value now stored (the existing one or `value`).
   */
  insert4(addr: number, length: number, value: number): number {
    const t = this.v4;
    let node = 0;
    for (let i = 0; i < length; i++) node = t.step(node, (addr >>> (31 - i)) & 1);
    if (t.value[node] < 0) t.value[node] = value;
    return t.value[node];
  }

  insert6(w: ArrayLike<number>, length: number, value: number): number {
    const t = this.v6;
    let node = 0;
    for (let i = 0; i < length; i++) node = t.step(node, (w[i >>> 5] >>> (31 - (i & 31))) & 1);
    if (t.value[node] < 0) t.value[node] = value;
    return t.value[node];
  }

  /** Id of the most specific stored prefix covering `addr`, or -1. */
  lookup4(addr: number): number {
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

  lookup6(w0: number, w1: number, w2: number, w3: number): number {
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
