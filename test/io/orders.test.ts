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

  it('refuses hex numbers and RTTs a 32-bit float cannot hold (1e39 would turn into Infinity)', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'target,order,status,confidence\na,ams>lhr,total,0x1\nb,ams>lhr,total,1\n');
    const rtt = join(dir, 'rtt.csv');
    writeFileSync(rtt, 'target,site,rtt_ms,source\nb,ams,1e39,anycast\nb,lhr,0x10,unicast\nb,lhr,3e38,unicast\n');
    const { issues } = await readPreferenceModel(orders, rtt, { orders: 'orders.csv', rtt: 'rtt.csv' });
    expect(issues.items.map(formatIssue)).toEqual([
      'orders.csv:2: column "confidence" must be a number in [0, 1], got "0x1"',
      'rtt.csv:2: column "rtt_ms" must be a number >= 0 (and below 3.4e38), got "1e39"',
      'rtt.csv:3: column "rtt_ms" must be a number >= 0 (and below 3.4e38), got "0x10"',
    ]);
  });

  it('shows the digits that tell two conflicting RTTs apart (20 and 20.001 both print as 20)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'o.csv'), 'target,order,status,confidence\nt1,a>b,total,1\n');
    writeFileSync(join(dir, 'r.csv'), 'target,site,rtt_ms,source\nt1,b,20,unicast\nt1,b,20.001,unicast\n');
    const { issues } = await readPreferenceModel(join(dir, 'o.csv'), join(dir, 'r.csv'), { orders: 'o.csv', rtt: 'r.csv' });
    expect(issues.items.map(formatIssue)).toEqual(['r.csv:3: column "rtt_ms" must match line 2 for the same target and site (t1 at b: 20, unicast), got "20.001, unicast"']);
  });

  it('refuses a file without the expected header', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    writeFileSync(orders, 'target,ranking\na,ams\n');
    await expect(readPreferenceModel(orders, undefined, { orders: 'orders.csv' })).rejects.toThrow(
      'orders.csv:1: header must name the columns target,order,status,confidence (missing order, status, confidence), got "target,ranking"',
    );
  });

  it('quotes ids with commas, quotes or a leading # so that orders.csv and rtt.csv read back identically', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    const rtt = join(dir, 'rtt.csv');
    const ordersText =
      '# announce-order: "a,b",lhr\ntarget,order,status,confidence,order_sensitive\n' +
      '"tot,al","a,b>lhr",partial,0.5,0\n"say ""hi""","lhr>a,b",total,1,1\n"#t",,unreachable,0,0\n';
    writeFileSync(orders, ordersText);
    writeFileSync(rtt, 'target,site,rtt_ms,source\n"tot,al","a,b",10,unicast\n"say ""hi""",lhr,3,anycast\n');
    const { model, issues } = await readPreferenceModel(orders, rtt);
    expect(issues.items.map(formatIssue)).toEqual([]);
    expect(model.targetIds).toEqual(['tot,al', 'say "hi"', '#t']);
    expect(model.siteIds).toEqual(['a,b', 'lhr']);
    expect(model.announceOrder).toEqual(['a,b', 'lhr']);
    const o = collect();
    await writeOrders(model, o.sink);
    expect(o.text()).toBe(ordersText);
    const r = collect();
    await writeRtt(model, r.sink);
    expect(r.text()).toBe('target,site,rtt_ms,source\n"tot,al","a,b",10,unicast\n"say ""hi""",lhr,3,anycast\n');
    writeFileSync(orders, o.text());
    writeFileSync(rtt, r.text());
    const back = await readPreferenceModel(orders, rtt);
    expect(back.issues.total).toBe(0);
    expect(back.model).toEqual(model);
  });

  it('reports an unclosed quote and a short row', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    const rtt = join(dir, 'rtt.csv');
    writeFileSync(orders, 'target,order,status,confidence,order_sensitive\n"a,ams,total,1,0\nb,ams,total,1\nc,ams,total,1,0\n');
    writeFileSync(rtt, 'target,site,rtt_ms,source\nc,ams,3\nc,"ams,3,anycast\n');
    const { issues } = await readPreferenceModel(orders, rtt, { orders: 'orders.csv', rtt: 'rtt.csv' });
    expect(issues.items.map(formatIssue)).toEqual([
      'orders.csv:2: must close every quoted field on its line (a closing " is missing), got "\\"a,ams,total,1,0"',
      'orders.csv:3: must have 5 fields like the header, got "b,ams,total,1"',
      'rtt.csv:2: must have 4 fields like the header, got "c,ams,3"',
      'rtt.csv:3: must close every quoted field on its line (a closing " is missing), got "c,\\"ams,3,anycast"',
    ]);
  });

  it('reports a (target, site) repeated with a different RTT, naming both lines; an identical repeat is harmless', async () => {
    const dir = tempDir();
    const orders = join(dir, 'orders.csv');
    const rtt = join(dir, 'rtt.csv');
    writeFileSync(orders, 'target,order,status,confidence\nt1,ams>lhr,total,1\nt2,ams,partial,1\nt1,lhr,total,1\n');
    writeFileSync(rtt, 'target,site,rtt_ms,source\nt1,ams,10,anycast\nt1,lhr,20,unicast\nt2,ams,5,anycast\nt1,ams,12,anycast\nt2,ams,5,anycast\n');
    const { model, issues } = await readPreferenceModel(orders, rtt, { orders: 'orders.csv', rtt: 'rtt.csv' });
    expect(issues.items.map(formatIssue)).toEqual([
      'orders.csv:4: column "target" must appear once (also on line 2), got "t1"',
      'rtt.csv:5: column "rtt_ms" must match line 2 for the same target and site (t1 at ams: 10, anycast), got "12, anycast"',
    ]);
    expect(model.rttMs[0]).toBe(10);
  });

  it('does not report the rtt.csv rows of a target whose orders.csv row was bad as unknown targets', async () => {
    const dir = tempDir();
    const orders = join(dir, 'oc.csv');
    const rtt = join(dir, 'rtt.csv');
    writeFileSync(orders, 'target,order,status,confidence,order_sensitive\nt1,ams,total,abc,0\nt2,ams,total,1,0\nt3,ams,total\n');
    writeFileSync(rtt, 'target,site,rtt_ms,source\nt1,ams,3,anycast\nt2,ams,4,anycast\nt3,ams,4,anycast\nt9,ams,4,anycast\n');
    const { issues } = await readPreferenceModel(orders, rtt, { orders: 'oc.csv', rtt: 'rtt.csv' });
    expect(issues.items.map(formatIssue)).toEqual([
      'oc.csv:2: column "confidence" must be a number in [0, 1], got "abc"',
      'oc.csv:4: must have 5 fields like the header, got "t3,ams,total"',
      'rtt.csv:5: column "target" must be a target listed in oc.csv, got "t9"',
    ]);
  });
});
