import type { Command } from 'commander';
import type { CommandHost } from '../host.js';

export function registerDemo(program: Command, host: CommandHost): void {
  void host;
  program.command('demo').description('build the default twin and run the whole pipeline on it');
}
