import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlan, readTargetWeights } from '../../src/io/plan.js';
import { readPolicy } from '../../src/io/policy.js';
import { tempDir } from '../helpers.js';

describe('target weights', () => {
  it('refuses weights whose sum overflows, naming the file', async () => {
    const dir = tempDir();
    const path = join(dir, 'targets.csv');
    writeFileSync(path, 'target,weight\nt1,1e308\nt2,1e308\n');
    await expect(readTargetWeights(path, ['t1', 't2'], 'targets.csv')).rejects.toThrow(
      'targets.csv: column "weight" must sum to a finite number (the sum of 2 weights overflows; scale them down)',
    );
  });

  it('refuses a weight that is not finite', async () => {
    const dir = tempDir();
    const path = join(dir, 'targets.csv');
    writeFileSync(path, 'target,weight\nt1,1e309\nt2,1\n');
    await expect(readTargetWeights(path, ['t1', 't2'], 'targets.csv')).rejects.toThrow('targets.csv:2: column "weight" must be a number >= 0, got "1e309"');
  });
});

describe('JSON inputs with a byte order mark', () => {
  it('reads plan.json and policy.json that start with a UTF-8 BOM', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plan.json'), '\ufeff{"format": "anyopt-plan", "version": 1, "sites": ["ams", "lhr"]}\n');
    writeFileSync(join(dir, 'policy.json'), '\ufeff{"maxSites": 3}\n');
    expect((await readPlan(join(dir, 'plan.json'))).sites).toEqual(['ams', 'lhr']);
    expect(await readPolicy(join(dir, 'policy.json'))).toEqual({ maxSites: 3 });
  });
});
