#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built by `npm install` through the `prepare` script).
import { runCli } from '../dist/cli/main.js';

// A closed pipe (`anyopt ... | head`) is not an error: stop quietly.
// Any other failure to write stdout (a full disk under `> file`) ends the run with a message.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`error: cannot write to standard output: ${err.message}\n`);
  process.exit(2);
});

process.exitCode = await runCli(process.argv.slice(2));
