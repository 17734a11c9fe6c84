import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSiteProviders, readTargetList } from '../../src/io/campaign.js';
import { tempDir } from '../helpers.js';

describe('targets.csv prefixes', () => {
  it('rejects a prefix that is not one, has a bad length or has host bits set, naming the network meant', async () => {
    const dir = tempDir();
    const path = join(dir, 'targets.csv');
    writeFileSync(path, 'target,prefix\n1.0.0.1,abc\n1.0.1.1,1.0.1.0/33\n1.0.2.5,1.0.2.5/24\n1.0.3.1,1.0.3.0/24\n1.0.4.1,\n');
    await expect(readTargetList(path, 'targets.csv')).rejects.toThrow(
      [
        'targets.csv:2: column "prefix" must be a prefix such as 192.0.2.0/24 or 2001:db8::/32, got "abc"',
        'targets.csv:3: column "prefix" must have an IPv4 prefix length in [0, 32], got "1.0.1.0/33"',
        'targets.csv:4: column "prefix" must have no host bits set after the prefix length (the network is 1.0.2.0/24), got "1.0.2.5/24"',
      ].join('\n'),
    );
    writeFileSync(path, 'target,prefix\n1.0.3.1,1.0.3.0/24\n1.0.4.1,\nx,2001:db8:12::/48\n');
    expect(await readTargetList(path, 'targets.csv')).toEqual({ targetIds: ['1.0.3.1', '1.0.4.1', 'x'], prefixes: ['1.0.3.0/24', '', '2001:db8:12::/48'] });
  });
});

describe('sites.csv for orders --sites', () => {
  it('tolerates a site listed twice with one provider and reports two providers with both lines', async () => {
    const dir = tempDir();
    const path = join(dir, 'sites.csv');
    writeFileSync(path, 'site,city,provider\nams,x,A\nlhr,y,B\nams,x,A\n');
    expect(await readSiteProviders(path, 'sites.csv')).toEqual(new Map([['ams', 'A'], ['lhr', 'B']]));
    writeFileSync(path, 'site,city,provider\nams,x,A\nlhr,y,B\nams,x,C\n');
    await expect(readSiteProviders(path, 'sites.csv')).rejects.toThrow('sites.csv:4: column "provider" must be the same for every row of site "ams" (line 2 has A), got "C"');
  });
});
