#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built by `npm install` through the `prepare` script).
import { runCli } from '../dist/cli/main.js';

// A closed pipe (`anyopt ... | head`) is not an error: stop quietly.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runCli(process.argv.slice(2));
