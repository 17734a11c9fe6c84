import type { Command } from 'commander';
import type { CommandHost } from '../host.js';

export function registerSim(program: Command, host: CommandHost): void {
  void host;
  program.command('sim').description('the simulated Internet (twin): init, catchment, stats');
}
