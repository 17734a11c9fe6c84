/** A typed array that grows as rows come: columns of rows read from large files, without a JS number per cell. */
export class Growable<T extends Uint32Array | Int32Array | Uint16Array | Uint8Array | Int16Array | Float32Array | Float64Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1 << 16);
  }
  push(v: number): void {
    // By half again, not double: a column of hundreds of millions of rows peaks at 2.5 times its
    // size while it is copied, not 3.
    if (this.length === this.data.length) this.resize(Math.ceil(this.data.length * 1.5));
    this.data[this.length++] = v;
  }
  /** Room for `n` rows in all (a reader that can estimate its row count allocates once). */
  reserve(n: number): void {
    if (n > this.data.length) this.resize(n);
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
  private resize(n: number): void {
    const next = this.make(n);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}
