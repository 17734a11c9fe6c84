import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { col, readTable, readTableFast } from '../../src/io/csv.js';
import { formatIssue } from '../../src/io/issues.js';
import { tempDir } from '../helpers.js';

const columns = {
  site: col.text(),
  lat: col.number({ min: -90, max: 90 }),
  capacity: col.optional(col.number({ min: 0, minExclusive: true }), Number.NaN),
};

describe('typed CSV tables', () => {
  const dir = tempDir();
  const path = join(dir, 'sites.csv');
  writeFileSync(path, '\ufeff# a comment\nsite,lat,capacity,extra\nams,52.3,10,x\n"syd, au",-33.9,,y\nlhr,N/A,5,z\nfra,50,-1,w\n');

  for (const [name, read] of [
    ['readTable (csv-parse)', readTable],
    ['readTableFast', readTableFast],
  ] as const) {
    it(`${name}: parses rows, keeps quoted commas, and reports each bad cell with line and value`, async () => {
      const t = await read(path, columns, { label: 'sites.csv' });
      expect(t.rows.map((r) => r.site)).toEqual(['ams', 'syd, au']);
      expect(t.rows[1].capacity).toBeNaN();
      expect(t.lines).toEqual([3, 4]);
      expect(t.records).toBe(4);
      expect(t.issues.items.map(formatIssue)).toEqual([
        'sites.csv:5: column "lat" must be a number in [-90, 90], got "N/A"',
        'sites.csv:6: column "capacity" must be a number > 0, got "-1"',
      ]);
    });
  }

  it('names the missing columns of a header', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'site,latitude\nams,1\n');
    await expect(readTableFast(bad, columns, { label: 'bad.csv' })).rejects.toThrow('bad.csv:1: header must name the column "lat" (expected site,lat,capacity), got "site,latitude"');
    await expect(readTable(join(dir, 'missing.csv'), columns, { label: 'missing.csv' })).rejects.toThrow('missing.csv: file not found');
  });
});
