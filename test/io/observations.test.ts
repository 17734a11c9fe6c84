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
      'obs.csv:3: column "rtt_ms" must be a number >= 0 when site is set, got ""',
      'obs.csv:4: column "announced" must be the same for every row of experiment "e1" (ams|lhr), got "ams"',
    ]);
    expect(table.rows).toBe(0);
  });
});
