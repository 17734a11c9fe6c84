/**
 * The list of subcommands. Each module exports `register(program, host)`,
 * parses and checks its flags, reads inputs through `src/io`, calls the core
 * and renders. No algorithm lives in a command module.
 */
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import { registerSim } from './sim.js';
import { registerDemo } from './demo.js';
import { registerMeasure } from './measure.js';
import { registerImport } from './import.js';
import { registerOrders } from './orders.js';
import { registerPredict } from './predict.js';
import { registerEvaluate } from './evaluate.js';
import { registerOptimize } from './optimize.js';
import { registerValidate } from './validate.js';
import { registerRoutes } from './routes.js';

export type Register = (program: Command, host: CommandHost) => void;

export const commands: Register[] = [
  registerDemo,
  registerSim,
  registerMeasure,
  registerImport,
  registerOrders,
  registerPredict,
  registerEvaluate,
  registerOptimize,
  registerValidate,
  registerRoutes,
];
