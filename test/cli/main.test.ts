import { describe, expect, it } from 'vitest';
import { runInProcess as run } from '../helpers.js';

describe('anyopt entry point', () => {
  it('prints help with examples and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: anyopt');
    expect(r.stdout).toContain('Examples:');
  });

  it('exits 2 on an unknown option and says which', async () => {
    const r = await run(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });

  it('exits 2 on an unknown command', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });
});
