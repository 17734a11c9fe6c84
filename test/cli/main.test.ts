import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { runInProcess as run } from '../helpers.js';
import { buildProgram } from '../../src/cli/main.js';
import { CommandHost } from '../../src/cli/host.js';
import { makeContext } from '../../src/cli/context.js';

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

  it('every command and subcommand shows an example in --help (as the README says)', async () => {
    const paths: string[][] = [];
    const walk = (cmd: Command, path: string[]) => {
      for (const sub of cmd.commands) {
        paths.push([...path, sub.name()]);
        walk(sub, [...path, sub.name()]);
      }
    };
    walk(buildProgram(new CommandHost(makeContext({}))), []);
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) {
      const r = await run([...p, '--help']);
      expect(r.code, p.join(' ')).toBe(0);
      expect(r.stdout, p.join(' ')).toMatch(/Examples?:/);
    }
  });

  it('exits 2 on an unknown command', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });
});
