// Shared helpers for the routes benchmarks (plain Node against dist/).
import os from 'node:os';
import { createWriteStream } from 'node:fs';

export function machine() {
  const cpus = os.cpus();
  return `${os.type()} ${os.release()}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export async function writeLines(path, header, lines) {
  const ws = createWriteStream(path);
  let buf = header ? header + '\n' : '';
  for (const l of lines) {
    buf += l + '\n';
    if (buf.length > 1 << 20) {
      if (!ws.write(buf)) await new Promise((r) => ws.once('drain', r));
      buf = '';
    }
  }
  ws.write(buf);
  await new Promise((r) => ws.end(r));
}

export const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
