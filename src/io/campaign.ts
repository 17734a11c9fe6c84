/**
 * Files of a measurement campaign: campaign.json (read/write), the site list a
 * plan starts from (sites.csv: `site,provider`, other columns ignored), the
 * target list of a run (targets.csv: `target[,prefix]`), and the run journal
 * that makes `measure run --resume` possible.
 *
 * The journal is two files beside the output:
 *   OUT.partial   observation rows of finished experiments (header first),
 *   OUT.journal   NDJSON: one meta line, then one line per finished experiment
 *                 with the byte length of OUT.partial after its rows.
 * Each experiment's rows are written and fsynced before its journal line is
 * written and fsynced, so after a kill at any moment the journal names only
 * experiments whose rows are complete; on resume OUT.partial is cut back to
 * the last recorded length. On success OUT.partial is renamed to OUT (so OUT
 * appears only complete) and OUT.journal is removed.
 */
import { link, open, readFile, rename, stat, unlink, mkdir, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { validateCampaign, type Campaign, type CampaignSite } from '../measure/campaign.js';
import { readTable, readTableFast, col, duplicateIssues, failOnIssues } from './csv.js';
import { SITE_ID, SITE_ID_EXPECTED } from '../util/ids.js';
import { readJsonFile } from './open.js';
import { InputError, UsageError, type InputIssue } from './issues.js';
import { formatPrefix, parsePrefix } from '../routes/addr.js';
import { OBSERVATIONS_HEADER } from './observations.js';
import { moveInto } from './write.js';

export async function readCampaign(path: string, label = path): Promise<Campaign> {
  const value = await readJsonFile(path, label);
  const { campaign, issues } = validateCampaign(value, label);
  if (!campaign) throw new InputError(issues);
  return campaign;
}

export function formatCampaign(c: Campaign): string {
  // One experiment per line keeps long campaigns readable and diffable.
  const { experiments, sites, ...head } = c;
  const lines = [
    '{',
    ...Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`),
    `  "sites": [\n${sites.map((s) => `    ${JSON.stringify(s)}`).join(',\n')}\n  ],`,
    `  "experiments": [\n${experiments.map((e) => `    ${JSON.stringify(e)}`).join(',\n')}\n  ]`,
    '}',
  ];
  return lines.join('\n') + '\n';
}


/** sites.csv for planning: the `site` and `provider` columns (other columns, such as the scenario's, are ignored). */
export async function readPlanSites(path: string, label = path): Promise<CampaignSite[]> {
  const t = await readTable<CampaignSite>(
    path,
    {
      site: col.text({ pattern: SITE_ID, expected: SITE_ID_EXPECTED }),
      provider: col.text({ maxLength: 100 }),
    },
    { label },
  );
  failOnIssues(t.issues);
  const dup = duplicateIssues(t, (r) => r.site, label, 'site');
  if (dup.length > 0) throw new InputError(dup);
  if (t.rows.length === 0) throw InputError.single({ file: label, expected: 'must list at least one site' });
  return t.rows;
}

export interface TargetList {
  targetIds: string[];
  /** The /24 (or other) prefix of each target, '' when the file has no prefix column. */
  prefixes: string[];
}

/** targets.csv for a run: `target` (the probed address or any id), optional `prefix`. */
export async function readTargetList(path: string, label = path): Promise<TargetList> {
  const t = await readTableFast<{ target: string; prefix: string }>(
    path,
    { target: col.text({ maxLength: 100, pattern: /^[^,|"\s]+$/, expected: 'must be a target id without spaces, commas, quotes or "|"' }), prefix: col.optional(col.text(), '') },
    { label },
  );
  t.rows.forEach((r, i) => {
    if (r.prefix === '') return;
    const problem = prefixProblem(r.prefix);
    if (problem) t.issues.add({ file: label, line: t.lines[i], column: 'prefix', expected: problem, received: r.prefix });
  });
  failOnIssues(t.issues);
  const dup = duplicateIssues(t, (r) => r.target, label, 'target');
  if (dup.length > 0) throw new InputError(dup);
  return { targetIds: t.rows.map((r) => r.target), prefixes: t.rows.map((r) => r.prefix) };
}

/** Why a targets.csv prefix is unusable (undefined when fine); with host bits set, the network that was probably meant. */
function prefixProblem(text: string): string | undefined {
  const p = parsePrefix(text);
  if (typeof p !== 'string') return undefined;
  const loose = parsePrefix(text, { allowHostBits: true });
  return typeof loose === 'string' ? p : `${p} (the network is ${formatPrefix(loose)})`;
}

/**
 * sites.csv for `anyopt orders --sites`: `site` and `provider` (other columns
 * ignored), as a map. A site listed twice with the same provider is harmless;
 * with two providers it is an issue naming both lines (which one holds cannot
 * be told, and the composition of provider pairs depends on it).
 */
export async function readSiteProviders(path: string, label = path): Promise<Map<string, string>> {
  const t = await readTable<{ site: string; provider: string }>(path, { site: col.text(), provider: col.text() }, { label });
  failOnIssues(t.issues);
  const provider = new Map<string, string>();
  const line = new Map<string, number>();
  const issues: InputIssue[] = [];
  t.rows.forEach((r, i) => {
    const known = provider.get(r.site);
    if (known === undefined) {
      provider.set(r.site, r.provider);
      line.set(r.site, t.lines[i]);
    } else if (known !== r.provider) {
      issues.push({ file: label, line: t.lines[i], column: 'provider', expected: `must be the same for every row of site "${r.site}" (line ${line.get(r.site)} has ${known})`, received: r.provider });
    }
  });
  if (issues.length > 0) throw new InputError(issues);
  return provider;
}

// ---------------------------------------------------------------- journal

export interface JournalMeta {
  format: 'anyopt-journal';
  version: 1;
  /** campaignDigest() of the campaign the run started with. */
  campaign: string;
  /** listDigest() of the target ids. */
  targets: string;
  driver: string;
  /** Driver settings that change results (seed, scenario), compared on resume. */
  settings: Record<string, string | number>;
}

export interface JournalEntry {
  experiment: string;
  /** Byte length of OUT.partial after this experiment's rows. */
  end: number;
  answered: number;
  targets: number;
}

export function journalPaths(out: string): { rows: string; index: string; lock: string } {
  return { rows: `${out}.partial`, index: `${out}.journal`, lock: `${out}.lock` };
}

/** True when a process with this id runs (signal 0 only checks; EPERM means it runs as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take OUT.lock for this process, so that two runs never append to one journal (or drive one
 * testbed at once). A lock left by a run that died (kill -9) names a process that is gone and is
 * taken over.
 */
async function takeLock(lock: string): Promise<void> {
  // The pid goes into a file of its own first, then into place by link() (fails if a lock exists)
  // or, over a dead run's lock, by rename(): a lock is never seen empty, and of two runs taking
  // over the same stale lock the one whose pid is not there on the re-read backs off.
  const mine = `${lock}.${process.pid}`;
  await writeFile(mine, `${process.pid}\n`);
  try {
    for (let tries = 0; tries < 3; tries++) {
      try {
        await link(mine, lock);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new UsageError(`Another run (process ${pid}) is writing this output (lock ${lock}): wait for it to end, or stop it; delete the lock only if that process is not an anyopt run`);
      }
      // Stale (its run is gone): take it over, then check that no other run took it meanwhile.
      await writeFile(`${mine}.take`, `${process.pid}\n`);
      await rename(`${mine}.take`, lock);
      await new Promise((r) => setTimeout(r, 50));
      const now = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (now === process.pid) return;
      if (processAlive(now)) throw new UsageError(`Another run (process ${now}) took over this output's stale lock (${lock}) at the same time: wait for it to end`);
    }
    throw new UsageError(`Could not take the lock ${lock}: another run keeps taking it`);
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** An open journal: append finished experiments, then `finish()` to move the rows into place. */
export class RunJournal {
  private constructor(
    private readonly out: string,
    private readonly rowsFd: FileHandle,
    private readonly indexFd: FileHandle,
    private size: number,
    readonly entries: JournalEntry[],
  ) {}

  /**
   * Start a new journal, or (resume) continue an existing one. Without
   * `resume`, an existing journal is refused rather than overwritten: it may
   * hold hours of measurements.
   */
  static async open(out: string, meta: JournalMeta, opts: { resume: boolean; label?: string; onNote?: (note: string) => void }): Promise<RunJournal> {
    const p = journalPaths(out);
    await mkdir(dirname(out), { recursive: true });
    await takeLock(p.lock);
    try {
      return await RunJournal.openLocked(out, meta, opts);
    } catch (err) {
      await unlink(p.lock).catch(() => undefined);
      throw err;
    }
  }

  private static async openLocked(out: string, meta: JournalMeta, opts: { resume: boolean; label?: string; onNote?: (note: string) => void }): Promise<RunJournal> {
    const p = journalPaths(out);
    const label = opts.label ?? out;
    const haveIndex = await exists(p.index);
    if (haveIndex && !opts.resume) {
      throw new UsageError(
        `An unfinished run's journal exists (${p.index}): pass \`--resume\` to continue it, or delete ${p.index} and ${p.rows} to start over`,
      );
    }
    if (haveIndex) {
      const { entries, size, damage } = await RunJournal.load(p.index, p.rows, meta, label);
      if (damage) opts.onNote?.(damage);
      const rowsFd = await open(p.rows, 'r+');
      await rowsFd.truncate(size);
      const indexFd = await open(p.index, 'r+');
      // Rewrite the index without a possibly torn last line.
      const text = [JSON.stringify(meta), ...entries.map((e) => JSON.stringify(e))].join('\n') + '\n';
      await indexFd.truncate(0);
      await indexFd.write(text, 0, 'utf8');
      await indexFd.sync();
      await indexFd.close();
      const idx = await open(p.index, 'a');
      return new RunJournal(out, rowsFd, idx, size, entries);
    }
    const rowsFd = await open(p.rows, 'w');
    await rowsFd.write(OBSERVATIONS_HEADER, 0, 'utf8');
    await rowsFd.sync();
    const indexFd = await open(p.index, 'w');
    await indexFd.write(JSON.stringify(meta) + '\n', null, 'utf8');
    await indexFd.sync();
    return new RunJournal(out, rowsFd, indexFd, Buffer.byteLength(OBSERVATIONS_HEADER), []);
  }

  private static async load(indexPath: string, rowsPath: string, meta: JournalMeta, label: string): Promise<{ entries: JournalEntry[]; size: number; damage?: string }> {
    const text = await readFile(indexPath, 'utf8');
    const lines = text.split('\n');
    // A line without its newline was torn by a kill: ignore it.
    if (!text.endsWith('\n')) lines.pop();
    let old: JournalMeta;
    try {
      old = JSON.parse(lines[0]) as JournalMeta;
    } catch {
      throw InputError.single({ file: indexPath, line: 1, expected: 'must start with the journal header line; delete the journal to start over' });
    }
    if (old.format !== 'anyopt-journal') throw InputError.single({ file: indexPath, line: 1, expected: 'must be an anyopt journal' });
    if (old.campaign !== meta.campaign) {
      throw new UsageError(
        `The campaign file changed since this run began (journal ${indexPath} was started with campaign ${old.campaign}, the file is now ${meta.campaign}); ` +
          `restore the original campaign to resume, or delete ${indexPath} and ${rowsPath} to start over`,
      );
    }
    if (old.targets !== meta.targets) {
      throw new UsageError(`The target list changed since this run began (journal ${indexPath}); use the same targets to resume, or delete the journal to start over`);
    }
    if (old.driver === meta.driver && old.settings.scenario !== undefined && old.settings.scenario !== meta.settings.scenario) {
      throw new UsageError(
        `This run began on another scenario (its files had digest ${old.settings.scenario}, the scenario given now has ${meta.settings.scenario ?? 'none'}; journal ${indexPath}): resume with the same scenario folder, unchanged, or delete the journal to start over`,
      );
    }
    // A journal from before the scenario digest was recorded resumes on the other settings alone.
    const now = old.settings.scenario === undefined ? { ...meta.settings, scenario: undefined } : meta.settings;
    if (old.driver !== meta.driver || JSON.stringify(old.settings) !== JSON.stringify(now)) {
      throw new UsageError(
        `This run began with driver ${old.driver} ${JSON.stringify(old.settings)}, now ${meta.driver} ${JSON.stringify(meta.settings)} (journal ${indexPath}); resume with the same driver settings`,
      );
    }
    let rowsSize: number;
    try {
      rowsSize = (await stat(rowsPath)).size;
    } catch {
      throw InputError.single({ file: rowsPath, expected: `is missing but the journal ${indexPath} refers to it; delete the journal to start over` });
    }
    const entries: JournalEntry[] = [];
    let size = Buffer.byteLength(OBSERVATIONS_HEADER);
    let i = 1;
    for (; i < lines.length; i++) {
      if (lines[i] === '') continue;
      let e: JournalEntry;
      try {
        e = JSON.parse(lines[i]) as JournalEntry;
      } catch {
        break;
      }
      if (typeof e.end !== 'number' || e.end > rowsSize || e.end < size) break;
      entries.push(e);
      size = e.end;
    }
    // Only a torn last line is expected (dropped above); anything unreadable before the end means
    // the journal or its rows were damaged, and every experiment from there on runs again.
    const dropped = lines.slice(i).filter((l) => l !== '').length;
    const damage =
      dropped > 0
        ? `${label}: journal line ${i + 1} of ${indexPath} is unreadable or points past the end of ${rowsPath}; ${dropped} journal entr${dropped === 1 ? 'y' : 'ies'} from there on are dropped and those experiments run again`
        : undefined;
    return { entries, size, damage };
  }

  get done(): Set<string> {
    return new Set(this.entries.map((e) => e.experiment));
  }

  /** Append one finished experiment's rows; durable when the promise resolves. */
  async append(experiment: string, rows: string, answered: number, targets: number): Promise<void> {
    const bytes = Buffer.from(rows, 'utf8');
    await this.rowsFd.write(bytes, 0, bytes.length, this.size);
    await this.rowsFd.sync();
    this.size += bytes.length;
    const entry: JournalEntry = { experiment, end: this.size, answered, targets };
    await this.indexFd.write(JSON.stringify(entry) + '\n', null, 'utf8');
    await this.indexFd.sync();
    this.entries.push(entry);
  }

  /** All experiments done: move the rows to OUT and drop the journal. */
  async finish(): Promise<void> {
    await this.rowsFd.close();
    await this.indexFd.close();
    const p = journalPaths(this.out);
    await moveInto(p.rows, this.out);
    await unlink(p.index);
    await unlink(p.lock).catch(() => undefined);
  }

  /** Remove the journal and the partial rows (after close()). */
  async discard(): Promise<void> {
    const p = journalPaths(this.out);
    await unlink(p.rows).catch(() => undefined);
    await unlink(p.index).catch(() => undefined);
    await unlink(p.lock).catch(() => undefined);
  }

  /** Stop without finishing (failure): keep the journal for `--resume`. */
  async close(): Promise<void> {
    await this.rowsFd.close().catch(() => undefined);
    await this.indexFd.close().catch(() => undefined);
    await unlink(journalPaths(this.out).lock).catch(() => undefined);
  }
}

/** map.csv: `label,site`, from a mapper's site labels (Verfploeter client_id, MAnycastR rx) to site ids. */
export async function readSiteMap(path: string, label = path): Promise<Map<string, string>> {
  const t = await readTable<{ label: string; site: string }>(path, { label: col.text({ maxLength: 200 }), site: col.text({ pattern: SITE_ID, expected: SITE_ID_EXPECTED }) }, { label });
  failOnIssues(t.issues);
  const dup = duplicateIssues(t, (r) => r.label, label, 'label');
  if (dup.length) throw new InputError(dup);
  return new Map(t.rows.map((r) => [r.label, r.site]));
}
