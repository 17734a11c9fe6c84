/**
 * The preference model: what `anyopt orders` infers from a campaign and what
 * `predict`, `optimize` and `validate` consume. Per target, a linear order over
 * the sites (best first) and the RTT to each site; flat typed arrays so
 * Internet-scale models (1,000,000 targets x 100 sites) stay compact.
 *
 * Layout: `orders[t * S + k]` is the site index ranked k-th by target t, for
 * k < orderLength[t] (S = siteIds.length). `rttMs[t * S + s]` is the RTT of
 * target t at site s in ms, NaN when unknown.
 */

export const ORDER_STATUSES = ['total', 'cyclic', 'partial', 'unreachable'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const STATUS = { total: 0, cyclic: 1, partial: 2, unreachable: 3 } as const;

export const RTT_SOURCES = ['anycast', 'unicast', 'estimated'] as const;
export type RttSource = (typeof RTT_SOURCES)[number];

export interface PreferenceModel {
  siteIds: string[];
  targetIds: string[];
  /** T x S, best first; entries past orderLength[t] are unused. */
  orders: Uint16Array;
  /** Per target: how many sites its order ranks (0 when unreachable). */
  orderLength: Uint16Array;
  /** Per target: index into ORDER_STATUSES. */
  status: Uint8Array;
  /** Per target, in [0, 1]. */
  confidence: Float32Array;
  /** Per target: 1 when its winner in some pair depended on announcement order. */
  orderSensitive: Uint8Array;
  /** T x S, ms; NaN when unknown. */
  rttMs: Float32Array;
  /** T x S: index into RTT_SOURCES (255 when unknown). */
  rttSource: Uint8Array;
  /**
   * Site ids in the announcement order the campaign used (earlier = switched on
   * first); plans deploy in this order so order-sensitive targets behave as
   * measured. Empty when unknown.
   */
  announceOrder: string[];
}

/** Create an empty model of the given size (all targets unreachable, RTTs unknown). */
export function emptyModel(siteIds: string[], targetIds: string[]): PreferenceModel {
  const S = siteIds.length;
  const T = targetIds.length;
  return {
    siteIds,
    targetIds,
    orders: new Uint16Array(T * S),
    orderLength: new Uint16Array(T),
    status: new Uint8Array(T).fill(STATUS.unreachable),
    confidence: new Float32Array(T),
    orderSensitive: new Uint8Array(T),
    rttMs: new Float32Array(T * S).fill(Number.NaN),
    rttSource: new Uint8Array(T * S).fill(255),
    announceOrder: [],
  };
}

/**
 * Sites that no target's order ranks (named only in rtt.csv or the announce order): the model
 * predicts that they serve nobody, which rests on no measurement.
 */
export function unrankedSites(model: PreferenceModel): string[] {
  const S = model.siteIds.length;
  const ranked = new Uint8Array(S);
  let left = S;
  for (let t = 0; t < model.targetIds.length && left > 0; t++) {
    const base = t * S;
    for (let k = 0; k < model.orderLength[t]; k++) {
      const s = model.orders[base + k];
      if (!ranked[s]) {
        ranked[s] = 1;
        left--;
      }
    }
  }
  return model.siteIds.filter((_, s) => !ranked[s]);
}
