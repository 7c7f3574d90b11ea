import { parseArgs } from 'node:util';
import { FUNCTION_NAMES, parseSince, SINCE_HELP, type TaskFilter } from '../../api/services/task-selection';
import { ACTION_STATES, BULK_ACTIONS, type BulkAction } from '../../api/services/bulk-task-control';
import { PHASES, type Phase } from '../../pipeline/phases';
import { TASK_STATES, type TaskState } from '../../pipeline/progress';
import type { FunctionName } from '../../functions';

/** A command line the CLI cannot run as written: exit code 2, with the message and a pointer to --help. */
export class UsageError extends Error {}

export const USAGE = `npm run tasks -- <command> [options]

Commands:
  list [filters] [--limit N] [--json]        run records, newest first (50 unless --limit)
  show TASK_ID [--json]                      a task's progress answer, step log and Web UI link
  retry TASK_ID… | retry [filters]           new runs of failed or cancelled tasks, each retried once
  reset TASK_ID… | reset [filters]           failed runs continued from before their AI call
  reparse TASK_ID… | reparse [filters]       runs failed at PARSE or SAVE parsed and saved again
                                             from their stored answers (no new AI call)
  estimate --function NAME --account ID ID…  what starting NAME on those ids would cost (credits
          [--prompt-override TEXT]           reserved, expected, available); nothing is started
  cancel TASK_ID… | cancel [filters]         running tasks cancelled

Filters:
  --account ID          one account's tasks
  --function NAME       ${FUNCTION_NAMES.join(', ')}
  --state STATE[,STATE] ${TASK_STATES.join(', ')}
                        (retry: FAILURE, REVOKED by default; reset, reparse: FAILURE; cancel: PENDING, PROGRESS)
  --phase PHASE         where an ended run stopped: ${PHASES.join(', ')}
  --since WHEN          created since ${SINCE_HELP}
  --limit N             at most N tasks (list: 50 by default; actions: all that match)

Options:
  --json                machine-readable output on stdout
  --yes, -y             act on tasks selected by filters without asking
  --help, -h            this text

Tasks named by id are acted on at once. Tasks selected by filters are counted and confirmed first:
on a terminal the command asks; without one it needs --yes. Exit codes: 0 done (skipped tasks
included), 1 a failure or a named task that does not exist, 2 a usage error.`;

export type Command =
  | { name: 'help' }
  | { name: 'list'; filter: TaskFilter; limit: number; json: boolean }
  | { name: 'show'; taskId: string; json: boolean }
  | { name: BulkAction; taskIds: string[]; filter?: TaskFilter; limit?: number; json: boolean; yes: boolean }
  | { name: 'estimate'; functionName: string; accountId: number; ids: number[]; promptOverride?: string; json: boolean };

const LIST_LIMIT = 50;
const MAX_LIMIT = 100_000;

const OPTIONS = {
  account: { type: 'string' },
  function: { type: 'string' },
  state: { type: 'string' },
  phase: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  'prompt-override': { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;
const FILTER_OPTIONS: OptionName[] = ['account', 'function', 'state', 'phase', 'since'];
const ALLOWED: Record<'list' | 'show' | 'estimate' | BulkAction, OptionName[]> = {
  list: [...FILTER_OPTIONS, 'limit', 'json', 'help'],
  show: ['json', 'help'],
  retry: [...FILTER_OPTIONS, 'limit', 'json', 'yes', 'help'],
  reset: [...FILTER_OPTIONS, 'limit', 'json', 'yes', 'help'],
  reparse: [...FILTER_OPTIONS, 'limit', 'json', 'yes', 'help'],
  estimate: ['function', 'account', 'prompt-override', 'json', 'help'],
  cancel: [...FILTER_OPTIONS, 'limit', 'json', 'yes', 'help'],
};

export function parseCommand(argv: string[], now = Date.now()): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's own advice on positionals that start with '-' does not apply to task ids.
    throw new UsageError((err instanceof Error ? err.message : String(err)).split('. To specify a positional')[0]);
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (!name) {
    if (values.help) return { name: 'help' };
    throw new UsageError('Name a command: list, show, retry, reset, reparse, cancel or estimate.');
  }
  if (!(name in ALLOWED)) throw new UsageError(`Unknown command "${name}": the commands are list, show, retry, reset, reparse, cancel and estimate.`);
  const command = name as keyof typeof ALLOWED;
  if (values.help) return { name: 'help' };
  const given = (Object.keys(values) as OptionName[]).filter((option) => values[option] !== undefined);
  const refused = given.filter((option) => !ALLOWED[command].includes(option));
  if (refused.length) throw new UsageError(`${command} does not take ${refused.map((o) => `--${o}`).join(', ')}.`);
  const json = values.json ?? false;

  if (command === 'show') {
    if (rest.length !== 1) throw new UsageError('show takes one task id: npm run tasks -- show TASK_ID');
    return { name: 'show', taskId: rest[0], json };
  }
  if (command === 'estimate') return estimateCommand(values, rest, json);
  // An action's --state may name only the states it applies to.
  const filter = readFilter(values, command === 'list' ? TASK_STATES : ACTION_STATES[command], now);
  const limit = values.limit === undefined ? undefined : wholeNumber('limit', values.limit, 1, MAX_LIMIT);
  if (command === 'list') {
    if (rest.length) throw new UsageError(`list takes no task ids (got ${rest[0]}); use show TASK_ID for one task.`);
    return { name: 'list', filter, limit: limit ?? LIST_LIMIT, json };
  }

  const yes = values.yes ?? false;
  const filtered = FILTER_OPTIONS.some((option) => values[option] !== undefined);
  if (rest.length) {
    if (filtered || limit !== undefined) throw new UsageError(`Name tasks by id or select them with filters, not both.`);
    return { name: command, taskIds: rest, json, yes };
  }
  if (!filtered) {
    throw new UsageError(`Name the tasks (${command} TASK_ID…) or select them with --state, --function, --phase, --since or --account.`);
  }
  return { name: command, taskIds: [], filter: { ...filter, states: filter.states ?? [...ACTION_STATES[command]] }, limit, json, yes };
}

function readFilter(values: Partial<Record<OptionName, string | boolean>>, allowedStates: readonly TaskState[], now: number): TaskFilter {
  const filter: TaskFilter = {};
  const text = (option: OptionName) => values[option] as string | undefined;
  if (text('account') !== undefined) filter.accountId = wholeNumber('account', text('account')!, 1, 2_147_483_647);
  const functionName = text('function');
  if (functionName !== undefined) {
    if (!FUNCTION_NAMES.includes(functionName as FunctionName)) throw new UsageError(`--function "${functionName}" is not a function: ${FUNCTION_NAMES.join(', ')}.`);
    filter.functionName = functionName as FunctionName;
  }
  const states = text('state');
  if (states !== undefined) {
    filter.states = states.split(',').map((state) => {
      const upper = state.trim().toUpperCase();
      if (!TASK_STATES.includes(upper as TaskState)) throw new UsageError(`--state "${state}" is not a state: ${TASK_STATES.join(', ')}.`);
      if (!allowedStates.includes(upper as TaskState)) throw new UsageError(`--state ${upper} does not apply here: this command takes ${allowedStates.join(' or ')} tasks.`);
      return upper as TaskState;
    });
  }
  const phase = text('phase');
  if (phase !== undefined) {
    const upper = phase.trim().toUpperCase();
    if (!PHASES.includes(upper as Phase)) throw new UsageError(`--phase "${phase}" is not a phase: ${PHASES.join(', ')}.`);
    filter.phase = upper as Phase;
  }
  const since = text('since');
  if (since !== undefined) {
    const moment = parseSince(since, now);
    if (!moment) throw new UsageError(`--since "${since}" is not ${SINCE_HELP}.`);
    filter.since = moment;
  }
  return filter;
}

function wholeNumber(option: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${option} takes a whole number, got "${value}".`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${option} must be between ${min} and ${max}, got ${value}.`);
  return n;
}

/** `estimate --function NAME --account ID ID…`: a function's name or alias, the account, and the ids a start would name. */
function estimateCommand(values: Partial<Record<OptionName, string | boolean>>, ids: string[], json: boolean): Command {
  const functionName = values.function as string | undefined;
  const account = values.account as string | undefined;
  if (functionName === undefined || account === undefined) {
    throw new UsageError('estimate needs --function NAME and --account ID, then the ids: npm run tasks -- estimate --function generate_content --account 7 12 13 14');
  }
  if (ids.length === 0) throw new UsageError('estimate needs the ids a start would name, after the options.');
  const promptOverride = values['prompt-override'] as string | undefined;
  return {
    name: 'estimate',
    functionName,
    accountId: wholeNumber('account', account, 1, 2_147_483_647),
    ids: ids.map((id) => {
      if (!/^\d+$/.test(id) || Number(id) < 1 || Number(id) > 2_147_483_647) throw new UsageError(`"${id}" is not an id: ids are whole numbers from 1.`);
      return Number(id);
    }),
    ...(promptOverride !== undefined ? { promptOverride } : {}),
    json,
  };
}

export function isBulkAction(name: string): name is BulkAction {
  return (BULK_ACTIONS as readonly string[]).includes(name);
}
