/** A typed array that grows by doubling: columns of rows read from large files, without a JS number per cell. */
export class Growable<T extends Uint32Array | Int32Array | Uint16Array | Uint8Array | Int16Array | Float32Array | Float64Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1 << 16);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
