/**
 * Milliseconds to 0.001 ms, for JSON and CSV figures: RTTs are held as 32-bit floats of 0.01 ms
 * values, so 402.35 would print as 402.3500061035156 and not compare equal to rtt.csv's 402.35.
 */
export function roundMs(x: number, round: (v: number) => number = Math.round): number {
  return round(x * 1000) / 1000;
}
