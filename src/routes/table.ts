/**
 * The union of the providers' routing tables: every prefix any provider
 * announced gets a dense id (in order of first appearance), and for each
 * (prefix, provider) we keep whether the provider has a route and its AS-path
 * length. Longest-prefix match goes through one `PrefixTrie` over the union.
 *
 * Models only what the optimizer needs: presence and AS-path length (for the
 * BGP default choice). Communities, MED and the provider's own next hop are
 * not kept: injected routes use the next hop from the providers file.
 */
import { formatPrefix, parsePrefix, type Prefix } from './addr.js';
import { PrefixTrie } from './trie.js';

export const NO_ROUTE = 0;

export class RouteTable {
  readonly trie = new PrefixTrie();
  readonly prefixes: string[] = [];
  /** 4 or 6 per prefix id. */
  family = new Uint8Array(1024);
  /** (AS-path length + 1) per prefix id * m + provider, capped at 255; 0 = no route. */
  pathLen: Uint8Array;
  readonly routesPerProvider: Float64Array;
  /** Announcements ever seen per provider (a provider with none is misconfigured; one whose routes were all withdrawn is down). */
  readonly announcedPerProvider: Float64Array;

  constructor(readonly providerCount: number) {
    this.pathLen = new Uint8Array(1024 * providerCount);
    this.routesPerProvider = new Float64Array(providerCount);
    this.announcedPerProvider = new Float64Array(providerCount);
  }

  get size(): number {
    return this.prefixes.length;
  }

  /** Id of a parsed (canonical) prefix, adding it when new. */
  intern(p: Prefix): number {
    const next = this.prefixes.length;
    const id = p.family === 4 ? this.trie.insert4(p.words[0], p.length, next) : this.trie.insert6(p.words, p.length, next);
    if (id === next) {
      this.prefixes.push(formatPrefix(p));
      if (next >= this.family.length) {
        const f = new Uint8Array(this.family.length * 2);
        f.set(this.family);
        this.family = f;
        const pl = new Uint8Array(this.family.length * this.providerCount);
        pl.set(this.pathLen);
        this.pathLen = pl;
      }
      this.family[next] = p.family;
    }
    return id;
  }

  /** Record that `provider` has a route to prefix `id` with this AS-path length. */
  announce(id: number, provider: number, asPathLength: number): void {
    const at = id * this.providerCount + provider;
    if (this.pathLen[at] === NO_ROUTE) this.routesPerProvider[provider]++;
    this.announcedPerProvider[provider]++;
    this.pathLen[at] = Math.min(255, Math.max(1, asPathLength + 1));
  }

  withdraw(id: number, provider: number): void {
    const at = id * this.providerCount + provider;
    if (this.pathLen[at] !== NO_ROUTE) this.routesPerProvider[provider]--;
    this.pathLen[at] = NO_ROUTE;
  }

  hasRoute(id: number, provider: number): boolean {
    return this.pathLen[id * this.providerCount + provider] !== NO_ROUTE;
  }

  /** Id of a parsed prefix already in the table (exact match), or -1. */
  idOf(p: Prefix): number {
    return p.family === 4 ? this.trie.exact4(p.words[0], p.length) : this.trie.exact6(p.words, p.length);
  }

  /**
   * The trie for longest-prefix match over the prefixes some provider still has a route to (ids
   * unchanged). A prefix withdrawn by every provider is gone from every router, so its traffic
   * follows the less specific route that covers it; the table itself keeps the prefix (the plan
   * may have to withdraw it). The table's own trie when every prefix has a route.
   */
  routedTrie(): PrefixTrie {
    const m = this.providerCount;
    const live = (id: number) => {
      for (let j = 0; j < m; j++) if (this.pathLen[id * m + j] !== NO_ROUTE) return true;
      return false;
    };
    let dead = 0;
    for (let id = 0; id < this.size; id++) if (!live(id)) dead++;
    if (dead === 0) return this.trie;
    const t = new PrefixTrie();
    for (let id = 0; id < this.size; id++) {
      if (!live(id)) continue;
      const p = parsePrefix(this.prefixes[id], { allowHostBits: false }) as Prefix;
      if (p.family === 4) t.insert4(p.words[0], p.length, id);
      else t.insert6(p.words, p.length, id);
    }
    return t;
  }

  /** Id of a prefix given as text (exact match after canonicalisation), or -1. */
  find(text: string): number {
    const p = parsePrefix(text, { allowHostBits: false });
    if (typeof p === 'string') return -1;
    return p.family === 4 ? this.trie.exact4(p.words[0], p.length) : this.trie.exact6(p.words, p.length);
  }

  /**
   * BGP's own choice among the providers with a route: shortest AS path, then
   * the provider listed first (a stand-in for the router-id tie-break).
   */
  bgpDefault(id: number): number {
    let best = -1;
    let bestLen = 256;
    const base = id * this.providerCount;
    for (let j = 0; j < this.providerCount; j++) {
      const l = this.pathLen[base + j];
      if (l !== NO_ROUTE && l < bestLen) {
        bestLen = l;
        best = j;
      }
    }
    return best;
  }
}
