import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPreferenceModel, writeOrders, writeRtt } from '../../src/io/orders.js';
import { formatIssue } from '../../src/io/issues.js';
import { tempDir } from '../helpers.js';

function collect() {
  const parts: string[] = [];
  return { sink: { write: (s: string) => void parts.push(s) }, text: () => parts.join('') };
}

describe('orders.csv and rtt.csv', () => {
  it('round-trips a model, keeping the announce order and statuses', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    const rtt = join(dir, 'rtt.csv');
    writeFileSync(
      orders,
      '# announce-order: ams,lhr,syd\ntarget,order,status,confidence,order_sensitive\n' +
        'a,ams>lhr>syd,total,1,0\nb,syd>ams,partial,0.5,1\nc,,unreachable,0,0\n',
    );
    writeFileSync(rtt, 'target,site,rtt_ms,source\na,ams,10.5,anycast\na,syd,99,unicast\nb,syd,20,anycast\n');
    const { model, issues } = await readPreferenceModel(orders, rtt);
    expect(issues.total).toBe(0);
    expect(model.siteIds).toEqual(['ams', 'lhr', 'syd']);
    expect(model.announceOrder).toEqual(['ams', 'lhr', 'syd']);
    expect(Array.from(model.orderLength)).toEqual([3, 2, 0]);
    expect(Array.from(model.orders.subarray(3, 5))).toEqual([2, 0]);
    expect(model.rttMs[0 * 3 + 2]).toBe(99);
    expect(Number.isNaN(model.rttMs[0 * 3 + 1])).toBe(true);
    const o = collect();
    await writeOrders(model, o.sink);
    expect(o.text()).toBe(
      '# announce-order: ams,lhr,syd\ntarget,order,status,confidence,order_sensitive\n' +
        'a,ams>lhr>syd,total,1,0\nb,syd>ams,partial,0.5,1\nc,,unreachable,0,0\n',
    );
    const r = collect();
    await writeRtt(model, r.sink);
    expect(r.text()).toBe('target,site,rtt_ms,source\na,ams,10.5,anycast\na,syd,99,unicast\nb,syd,20,anycast\n');
  });

  it('reports bad lines with file, line, column, value and expectation', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'target,order,status,confidence\na,ams>ams,total,1\nb,ams,maybe,1\nc,ams,total,1.5\nd,,total,1\n');
    const { issues } = await readPreferenceModel(orders, undefined, { orders: 'orders.csv' });
    expect(issues.items.map(formatIssue)).toEqual([
      'orders.csv:2: column "order" must list distinct site ids joined by ">", got "ams>ams"',
      'orders.csv:3: column "status" must be one of total, cyclic, partial, unreachable, got "maybe"',
      'orders.csv:4: column "confidence" must be a number in [0, 1], got "1.5"',
      'orders.csv:5: column "order" must not be empty unless status is unreachable, got ""',
    ]);
  });

  it('refuses a file without the expected header', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'target,ranking\na,ams\n');
    await expect(readPreferenceModel(orders, undefined, { orders: 'orders.csv' })).rejects.toThrow(
      'orders.csv:1: header must name the columns target,order,status,confidence (missing order, status, confidence), got "target,ranking"',
    );
  });
});
