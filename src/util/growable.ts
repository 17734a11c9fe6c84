/**
 * A typed array that grows as rows come: columns of rows read from large files, without a JS number
 * per cell. `push` is one function for every element type: past four typed-array kinds in one
 * process its store turns megamorphic and costs about 35 ns (measured: 6.4 s instead of 0.4 s for
 * 170M pushes when a Float64 column joined the Uint32, Uint16, Float32 and Uint8 ones), so the
 * readers keep to those four kinds (and Int16 in observations, which is read in another command).
 */
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

/** Rows whose length estimates the row count of a large file. */
const ROW_SAMPLE = 10_000;

/**
 * Sizes a reader's columns once: from the file's size and the length of its first rows, the row
 * count (2% over), reserved in every column when the sample is complete. Files read through gzip
 * (size unknown) grow as they come.
 */
export class RowCountEstimate {
  private bytes = 0; // of the sampled rows
  constructor(
    private readonly fileBytes: number,
    private readonly columns: ReadonlyArray<{ reserve(n: number): void }>,
  ) {}

  /** Row `row` (0-based) was kept, read from `line` (its bytes as UTF-8 are counted, with the line end). */
  sample(row: number, line: string): void {
    if (row >= ROW_SAMPLE) return;
    this.bytes += Buffer.byteLength(line) + 1;
    if (row === ROW_SAMPLE - 1 && this.fileBytes > 0) {
      const rows = Math.ceil((this.fileBytes / (this.bytes / ROW_SAMPLE)) * 1.02);
      for (const c of this.columns) c.reserve(rows);
    }
  }
}
