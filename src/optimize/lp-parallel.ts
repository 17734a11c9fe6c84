/**
 * The LP bound in a worker thread, so that under a time limit it runs beside the local search and
 * the rounding of its site values instead of taking turns with them (two cores: the LP gets
 * nearly the whole limit and the rounding keeps its time). The caller polls synchronously
 * (`receiveMessageOnPort`), so the optimizer stays a plain function.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Classes } from './instance.js';
import type { SizeLimits } from './heuristic.js';

export interface LpWorkerData {
  classes: Classes;
  lim: SizeLimits;
  /** Wall clock (Date.now()) by which the LP must be done. */
  deadlineMs: number;
  port: MessagePort;
}

export type LpMessage =
  | { kind: 'solve'; nodes: number; seconds: number; bound: number; status: string; y?: Float64Array }
  | { kind: 'note'; message: string }
  | { kind: 'done' }
  | { kind: 'error'; message: string };

/** The compiled worker script: beside this module, or (when this runs from the sources, as under the test runner) in dist/. */
function workerScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const beside = here.replace(/lp-parallel\.(ts|js)$/, 'lp-worker.js');
  if (existsSync(beside)) return beside;
  const built = beside.replace(/[\\/]src[\\/]optimize[\\/]lp-worker\.js$/, '/dist/optimize/lp-worker.js');
  return built !== beside && existsSync(built) ? built : undefined;
}

export class LpWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly wake = new Int32Array(new SharedArrayBuffer(4));
  finished = false;

  private constructor(script: string, classes: Classes, lim: SizeLimits, deadlineMs: number) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: LpWorkerData = { classes, lim, deadlineMs, port: port2 };
    this.worker = new Worker(script, { workerData: data, transferList: [port2] });
    this.worker.unref();
  }

  /** Starts the LP in a worker (undefined when the compiled worker script is not there); `script` replaces it (tests). */
  static start(classes: Classes, lim: SizeLimits, deadlineMs: number, scriptPath?: string): LpWorker | undefined {
    const script = scriptPath ?? workerScript();
    return script ? new LpWorker(script, classes, lim, deadlineMs) : undefined;
  }

  /** Messages that have arrived, without waiting. */
  poll(): LpMessage[] {
    const out: LpMessage[] = [];
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as LpMessage;
      out.push(msg);
      if (msg.kind === 'done' || msg.kind === 'error') this.finished = true;
    }
    return out;
  }

  /** Blocks this thread for `ms` (nothing to do until the worker reports). */
  sleep(ms: number): void {
    Atomics.wait(this.wake, 0, 0, ms);
  }

  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }
}
