import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { col, csvLine, readTable, readTableFast } from '../../src/io/csv.js';
import { readCsvFields } from '../../src/io/lines.js';
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

  it('readTableFast reports an unclosed quoted field instead of merging the rest of the line into it', async () => {
    const open = join(dir, 'open.csv');
    writeFileSync(open, 'site,lat\n"ams,52\nlhr,51\n');
    const t = await readTableFast(open, columns, { label: 'open.csv' });
    expect(t.rows.map((r) => r.site)).toEqual(['lhr']);
    expect(t.issues.items.map(formatIssue)).toEqual(['open.csv:2: must close every quoted field on its line (a closing " is missing), got "\\"ams,52"']);
  });
});

describe('CSV fields', () => {
  it('quotes commas, quotes, line breaks and a leading # so that a line reads back as written', () => {
    const fields = ['tot,al', 'say "hi"', '#not-a-comment', 'a#b', 'plain', ''];
    const line = csvLine(fields);
    expect(line).toBe('"tot,al","say ""hi""","#not-a-comment",a#b,plain,\n');
    expect(line.startsWith('#')).toBe(false);
    expect(readCsvFields(line.slice(0, -1))).toEqual(fields);
  });

  it('readCsvFields returns undefined for a quoted field left open at the end of the line', () => {
    expect(readCsvFields('a1,ams,"total,ams,10')).toBeUndefined();
    expect(readCsvFields('a1,ams,"tot,al",ams,10')).toEqual(['a1', 'ams', 'tot,al', 'ams', '10']);
    expect(readCsvFields('a,"b ""c"""')).toEqual(['a', 'b "c"']);
  });
});
