/**
 * The public interface of the simulated Internet (the "twin"), used by the
 * measurement driver, `evaluate`, the demo and `routes sim`.
 */

/** One announcement: sites switched on in this order, `spacingS` apart. */
export interface AnnouncementSpec {
  /** Site ids in announcement order. */
  sites: readonly string[];
  /** Extra copies of the operator ASN prepended at a site. */
  prepend?: Readonly<Record<string, number>>;
  /** Seconds between switching on consecutive sites (default: the scenario's knob). */
  spacingS?: number;
}

/** Ground truth for every target, parallel to `twin.targetIds`. */
export interface Catchment {
  /** Index into `twin.siteIds`, or -1 when the target is unreachable or does not answer. */
  site: Int16Array;
  /** Round-trip time in ms; NaN when `site` is -1. */
  rttMs: Float32Array;
}
