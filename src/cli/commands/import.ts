/**
 * `anyopt import verfploeter|manycastr FILE`: catchment mapper output to
 * observations.csv rows. Parsing is in src/import/replies.ts, the mapping to
 * observation rows in src/import/catchment.ts.
 */
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import type { CommandHost } from '../host.js';
import { numberOption, pathOption } from '../options.js';
import { printJson, withCsvSink } from '../output.js';
import { forEachLine } from '../../io/lines.js';
import { readSiteMap, readTargetList } from '../../io/campaign.js';
import { InputError, UsageError, formatIssues } from '../../io/issues.js';
import { OBSERVATIONS_HEADER } from '../../io/observations.js';
import { HeaderError, ReplyParser, type ReplyFormat } from '../../import/replies.js';
import { CatchmentImport } from '../../import/catchment.js';

interface ImportFlags {
  experiment?: string;
  announced?: string;
  siteMap?: string;
  targets?: string;
  maxBad?: string;
  out?: string;
  json?: boolean;
}

const COLUMNS: Record<'verfploeter' | 'manycastr', { target: string; site: string }> = {
  verfploeter: { target: 'source_address', site: 'client_id' },
  manycastr: { target: 'addr', site: 'rx' },
};

export function registerImport(program: Command, host: CommandHost): void {
  program
    .command('import')
    .description('turn Verfploeter or MAnycastR catchment output into observations.csv rows')
    .argument('<format>', 'verfploeter | manycastr')
    .argument('<file>', 'the mapper\'s CSV output (.gz accepted)')
    .option('--experiment <id>', 'experiment id for the rows (default: the file name without extensions)')
    .option('--announced <sites>', 'announced sites in announcement order, joined by "|" (default: sites in order of first reply)')
    .option('--site-map <file>', 'map.csv (label,site) from the mapper\'s site labels to site ids')
    .option('--targets <file>', 'targets.csv: map each /24 to its target id and write a row for every target')
    .option('--max-bad <share>', 'share of bad rows tolerated before the import fails', '0.01')
    .option('--out <file>', 'observations.csv (default: stdout)')
    .option('--json', 'print a JSON summary on stdout (needs --out)')
    .addHelpText(
      'after',
      `
Examples:
  $ anyopt import verfploeter ams-lhr.csv.gz --experiment e007 --announced 'ams|lhr' --site-map map.csv --out e007.csv
  $ anyopt import manycastr run.csv --experiment e007 --targets targets.csv --announced 'ams|lhr' > e007.csv
`,
    )
    .action(
      host.action(async (format: string, file: string, flags: ImportFlags) => {
        const { ctx } = host;
        if (format !== 'verfploeter' && format !== 'manycastr') throw new UsageError(`Expected the format to be one of verfploeter, manycastr, got \`${format}\``);
        if (flags.json && flags.out === undefined) throw new UsageError('`--json` prints the summary on stdout; give `--out` for the rows');
        const maxBad = numberOption('--max-bad', flags.maxBad, { min: 0, max: 1 });
        if (statSync(pathOption(ctx.cwd, file), { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`Expected the mapper's output file, got the folder \`${file}\``);
        const experiment = flags.experiment ?? basename(file).replace(/(\.csv)?(\.gz)?$/i, '').replace(/[^A-Za-z0-9._:-]/g, '_');
        if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(experiment)) throw new UsageError(`Expected \`--experiment\` to be an id of letters, digits, ".", "_", ":" or "-", got \`${experiment}\``);
        let announced: string[] | undefined;
        if (flags.announced !== undefined) {
          announced = flags.announced.split('|').map((s) => s.trim());
          if (announced.some((s) => !/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(s)) || new Set(announced).size !== announced.length) {
            throw new UsageError(`Expected \`--announced\` to be distinct site ids joined by "|", got \`${flags.announced}\``);
          }
        }
        const siteMap = flags.siteMap ? await readSiteMap(pathOption(ctx.cwd, flags.siteMap), flags.siteMap) : undefined;
        const targets = flags.targets ? await readTargetList(pathOption(ctx.cwd, flags.targets), flags.targets) : undefined;
        const parser = new ReplyParser(file, format as ReplyFormat);
        const acc = new CatchmentImport({ file, experiment, ...(announced ? { announced } : {}), ...(siteMap ? { siteMap } : {}), ...(targets ? { targets } : {}) });
        // A synchronous callback per line: mapper outputs run to millions of replies.
        await forEachLine(pathOption(ctx.cwd, file), file, (line, n) => {
          let r;
          try {
            r = parser.push(line, n);
          } catch (err) {
            if (err instanceof HeaderError) throw new InputError([err.issue]);
            throw err;
          }
          if (r) acc.add(r, COLUMNS[format]);
        });
        if (parser.format === undefined) throw InputError.single({ file, expected: `must contain a ${format} header line` });
        const bad = parser.badLines + acc.bad;
        const issues = [...parser.issues, ...acc.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
        const records = parser.records;
        if (bad > maxBad * records) {
          throw new InputError(
            [{ file, expected: `has ${bad} bad rows of ${records} (${((100 * bad) / Math.max(1, records)).toFixed(1)}%), more than --max-bad ${maxBad} allows` }, ...issues.slice(0, 19)],
            bad + 1,
          );
        }
        // Without --announced the sites come from the replies: with none there is no experiment to write.
        if (!announced && acc.announcedSites.length === 0) {
          throw InputError.single({ file, expected: 'must hold at least one reply, or give --announced (the sites the experiment announced) to record that no target answered' });
        }
        const stats = acc.stats();
        await withCsvSink(ctx, flags.out, async (sink) => {
          await sink.write(OBSERVATIONS_HEADER);
          for (const chunk of acc.rows()) await sink.write(chunk);
        });
        if (flags.json) printJson(ctx, { experiment, announced: acc.announcedSites, ...stats, records, bad });
        if (bad > 0) ctx.stderr.write(`${ctx.color.yellow('warning:')} ${bad} bad row${bad === 1 ? '' : 's'} skipped:\n${formatIssues(issues, bad)}\n`);
        if (!announced) ctx.stderr.write(`${ctx.color.yellow('note:')} no --announced given; announced sites taken in order of first reply: ${acc.announcedSites.join('|')}\n`);
        ctx.stderr.write(
          `${experiment}: ${stats.replies.toLocaleString('en-US')} replies -> ${stats.answered.toLocaleString('en-US')} of ${stats.targets.toLocaleString('en-US')} targets answered` +
            (stats.duplicates ? `; ${stats.duplicates} duplicate replies (first kept)` : '') +
            (stats.outsideTargets ? `; ${stats.outsideTargets} replies from prefixes not in --targets` : '') +
            '\n',
        );
        return 0;
      }),
    );
}
