import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatObservationRows, readObservations, OBSERVATIONS_HEADER } from '../../src/io/observations.js';
import { formatIssue } from '../../src/io/issues.js';
import { tempDir } from '../helpers.js';

describe('observations.csv', () => {
  it('formats rows and reads them back into typed columns', async () => {
    const text =
      OBSERVATIONS_HEADER +
      formatObservationRows('e1', ['ams', 'lhr'], ['t1', 't2', 't3'], ['ams', 'lhr'], Int16Array.from([0, -1, 1]), Float32Array.from([12.345, NaN, 30]));
    expect(text).toBe('experiment,announced,target,site,rtt_ms\ne1,ams|lhr,t1,ams,12.35\ne1,ams|lhr,t2,,\ne1,ams|lhr,t3,lhr,30\n');
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(path, text);
    const { table, issues } = await readObservations(path);
    expect(issues.total).toBe(0);
    expect(table.experiments).toEqual([{ id: 'e1', announced: ['ams', 'lhr'] }]);
    expect(table.targetIds).toEqual(['t1', 't2', 't3']);
    expect(Array.from(table.site)).toEqual([0, -1, 1]);
    expect(table.rttMs[2]).toBe(30);
  });

  it('reports rows whose site was not announced or whose rtt is missing', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(path, 'experiment,announced,target,site,rtt_ms\ne1,ams|lhr,t1,syd,10\ne1,ams|lhr,t2,ams,\ne1,ams,t3,ams,3\n');
    const { issues, table } = await readObservations(path, 'obs.csv');
    expect(issues.items.map(formatIssue)).toEqual([
      'obs.csv:2: column "site" must be one of the announced sites ams|lhr or empty (no reply), got "syd"',
      'obs.csv:3: column "rtt_ms" must be a number >= 0 (and below 3.4e38) when site is set, got ""',
      'obs.csv:4: column "announced" must be the same for every row of experiment "e1" (ams|lhr), got "ams"',
    ]);
    expect(table.rows).toBe(0);
  });

  it('names the rtt of a row without a site as the problem (a reply must say which site answered)', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(path, 'experiment,announced,target,site,rtt_ms\ne1,ams|lhr,t1,,5\n');
    const { issues } = await readObservations(path, 'obs.csv');
    expect(issues.items.map(formatIssue)).toEqual([
      'obs.csv:2: column "rtt_ms" must be empty when site is empty (no reply), or site must name the site that replied, got "5"',
    ]);
  });

  it('quotes ids with commas and quotes, so that the rows read back as written', async () => {
    const targets = ['tot,al', 'say "hi"', '#t'];
    const text = OBSERVATIONS_HEADER + formatObservationRows('e,1', ['a,b', 'lhr'], targets, ['a,b', 'lhr'], Int16Array.from([0, 1, -1]), Float32Array.from([10, 20, NaN]));
    expect(text).toBe(OBSERVATIONS_HEADER + '"e,1","a,b|lhr","tot,al","a,b",10\n"e,1","a,b|lhr","say ""hi""",lhr,20\n"e,1","a,b|lhr","#t",,\n');
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(path, text);
    const { table, issues } = await readObservations(path);
    expect(issues.items.map(formatIssue)).toEqual([]);
    expect(table.experiments).toEqual([{ id: 'e,1', announced: ['a,b', 'lhr'] }]);
    expect(table.targetIds).toEqual(targets);
    expect(Array.from(table.site)).toEqual([0, 1, -1]);
  });

  it('reports an unclosed quote and a short row; an explicitly empty site and rtt_ms is no reply', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(path, 'experiment,announced,target,site,rtt_ms\na1,ams,"total,ams,10\na1,ams,total\na1,ams,t3,,\n');
    const { issues, table, records } = await readObservations(path, 'obs.csv');
    expect(issues.items.map(formatIssue)).toEqual([
      'obs.csv:2: must close every quoted field on its line (a closing " is missing), got "a1,ams,\\"total,ams,10"',
      'obs.csv:3: must have 5 fields like the header (an empty site and rtt_ms are written ",,"), got "a1,ams,total"',
    ]);
    expect(records).toBe(3);
    expect(table.targetIds).toEqual(['t3']);
    expect(Array.from(table.site)).toEqual([-1]);
  });

  it('drops an identical repeat of an (experiment, target) row and reports a different one with both lines', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(
      path,
      'experiment,announced,target,site,rtt_ms\ne1,ams|lhr,t1,ams,10\ne2,ams,t1,ams,9\ne1,ams|lhr,t2,,\ne1,ams|lhr,t1,ams,10\ne1,ams|lhr,t2,lhr,12\ne2,ams,t2,,\n',
    );
    const { issues, table } = await readObservations(path, 'obs.csv');
    expect(issues.items.map(formatIssue)).toEqual(['obs.csv:6: column "target" must appear once in experiment "e1": line 4 has it with no reply, got "t2 with site lhr, rtt_ms 12"']);
    // Kept: lines 2, 3, 4 and 7; line 5 repeats line 2, line 6 conflicts with line 4.
    expect(table.rows).toBe(4);
    expect(Array.from(table.experiment)).toEqual([0, 1, 0, 1]);
    expect(Array.from(table.target)).toEqual([0, 0, 1, 1]);
    expect(Array.from(table.site)).toEqual([0, 0, -1, -1]);
  });

  it('checks repeats while reading when experiments are contiguous, and names the right lines either way', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    const rows = [
      'experiment,announced,target,site,rtt_ms',
      '# a comment shifts the lines',
      'e1,ams|lhr,t1,ams,10',
      'e1,ams|lhr,t2,,',
      'e1,ams|lhr,t1,ams,10', // identical repeat of line 3: dropped
      'e1,ams|lhr,t3,xyz,1', // bad site
      'e1,ams|lhr,t2,lhr,12', // conflicts with line 4
      'e2,ams,t1,ams,9',
      'e2,ams,t2,,',
    ];
    writeFileSync(path, rows.join('\n') + '\n');
    const a = await readObservations(path, 'obs.csv');
    expect(a.issues.items.map(formatIssue)).toEqual([
      'obs.csv:6: column "site" must be one of the announced sites ams|lhr or empty (no reply), got "xyz"',
      'obs.csv:7: column "target" must appear once in experiment "e1": line 4 has it with no reply, got "t2 with site lhr, rtt_ms 12"',
    ]);
    expect(a.table.rows).toBe(4);
    expect(Array.from(a.table.target)).toEqual([0, 1, 0, 1]);
    // e1 again after e2: the rest is checked after reading, with the same lines.
    writeFileSync(path, [...rows, 'e1,ams|lhr,t1,lhr,11'].join('\n') + '\n');
    const b = await readObservations(path, 'obs.csv');
    expect(b.issues.items.map(formatIssue).slice(2)).toEqual(['obs.csv:10: column "target" must appear once in experiment "e1": line 3 has it with site ams, rtt_ms 10, got "t1 with site lhr, rtt_ms 11"']);
  });

  it('reads a file past the sample that sizes its columns (every row kept, in order)', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    const n = 25_000;
    let text = 'experiment,announced,target,site,rtt_ms\n';
    for (let i = 0; i < n; i++) text += i % 7 === 0 ? `e1,ams|lhr,t${i},,\n` : `e1,ams|lhr,t${i},${i % 2 ? 'ams' : 'lhr'},${(i % 100) + 0.5}\n`;
    writeFileSync(path, text);
    const { table, issues } = await readObservations(path, 'obs.csv');
    expect(issues.total).toBe(0);
    expect(table.rows).toBe(n);
    for (const i of [0, 9_999, 10_000, 17_501, n - 1]) {
      expect(table.targetIds[table.target[i]]).toBe(`t${i}`);
      expect(table.site[i]).toBe(i % 7 === 0 ? -1 : table.siteIds.indexOf(i % 2 ? 'ams' : 'lhr'));
      if (i % 7 !== 0) expect(table.rttMs[i]).toBeCloseTo((i % 100) + 0.5, 5);
    }
  });

  it('skips a byte order mark before a leading comment', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(path, '\ufeff# campaign e\nexperiment,announced,target,site,rtt_ms\ne1,ams,t1,ams,3\n');
    const { issues, table } = await readObservations(path, 'obs.csv');
    expect(issues.total).toBe(0);
    expect(table.rows).toBe(1);
  });

  it('refuses ">" in a site id, which orders.csv uses to join sites', async () => {
    const dir = tempDir();
    const path = join(dir, 'obs.csv');
    writeFileSync(path, 'experiment,announced,target,site,rtt_ms\ne1,a>b|lhr,t1,lhr,3\n');
    const { issues } = await readObservations(path, 'obs.csv');
    expect(issues.items.map(formatIssue)).toEqual(['obs.csv:2: column "announced" must not have ">" in a site id (orders.csv joins sites with it), got "a>b|lhr"']);
  });
});
