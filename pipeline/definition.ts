import type { Activities } from '../worker/activities';
import type * as workflows from '../workflows';
import type { Phase } from './phases';
import type { CompletionRef, CompletionUsage, ParsedAnswer, PreparedRequest, PreparedRun, RunInput, SavedOutput, ValidatedInput } from './run-io';

/**
 * What an AI function is, written once per function (functions/<name>/definition.ts): its names,
 * limits, start endpoint, the rows it reads, its phase messages and the activities of each step.
 * The shared pipeline runs any pipeline function; the API builds its start route from it.
 *
 * Imported by workflow code: no Node, Prisma or I/O here, and only types from activities/.
 */

/** A workflow the worker registers (an export of workflows/index.ts). */
export type WorkflowType = keyof typeof workflows;

/** The name of an activity that takes `Args` and answers `Result`: a typo or a wrong signature does not compile. */
type StepName<Args extends unknown[], Result> = {
  [K in keyof Activities]: Activities[K] extends (...args: Args) => Promise<Result> ? K : never;
}[keyof Activities];

/** The rows a function's ids name. */
export type InputRows = 'keyword' | 'cluster' | 'writerTask' | 'content' | 'image';

/** What phase messages may mention: the first items' names (INIT) and the count the phase works on. */
export interface MessageContext {
  names: string[];
  count: number;
}

interface FunctionBasics<Name extends string> {
  name: Name;
  /** Older names the API still accepts for this function. */
  aliases: readonly string[];
  /** The name a person sees on the button that starts it. */
  displayName: string;
  description: string;
  /** The Temporal workflow type: what the Web UI lists. */
  workflowType: WorkflowType;
  /** What one input id is, for messages ("keyword"). */
  itemNoun: string;
  input: InputRows;
  /** The most ids one start may name; the API refuses more. */
  maxItems: number;
  /** The start endpoint (POST, `{"ids": [...]}`), and whether it takes a `sector_id`. */
  start: { path: string; takesSectorId?: boolean };
  startedMessage: string;
  messages: Record<Phase, (ctx: MessageContext) => string>;
}

/** A function run by the shared pipeline: INIT → PREP → AI_CALL → PARSE → SAVE → DONE. */
export interface PipelineFunction<Name extends string = string, Prompt extends string = string> extends FunctionBasics<Name> {
  kind: 'pipeline';
  /** `batch`: one AI request for the whole run; `item`: one per input id. */
  requestsPer: 'batch' | 'item';
  /** The prompt types the function reads, each with its built-in default. */
  prompts: Record<Prompt, string>;
  /** The prompt of its AI requests (the others, if any, are read beside it). */
  promptType: NoInfer<Prompt>;
  /** The answer is text a reader watches being written (the live stream's `text` events). */
  streamsText: boolean;
  activities: {
    validate: StepName<[RunInput], ValidatedInput>;
    prepare: StepName<[RunInput], PreparedRun>;
    /** The provider step: the shared text `requestCompletion` unless the function calls another kind of model. */
    call: StepName<[CompletionRef], CompletionUsage>;
    parse: StepName<[CompletionRef], ParsedAnswer>;
    save: StepName<[RunInput, PreparedRequest], SavedOutput>;
  };
}

/** A function made of others, run one after another as child workflows. */
export interface CompositeFunction<Name extends string = string> extends FunctionBasics<Name> {
  kind: 'composite';
}

export type FunctionDefinition = PipelineFunction | CompositeFunction;

/** Keeps a definition's literal names (function and prompt types), so lists of them type themselves. */
export function definePipelineFunction<const Name extends string, const Prompt extends string>(
  definition: Omit<PipelineFunction<Name, Prompt>, 'kind'>,
): PipelineFunction<Name, Prompt> {
  return { kind: 'pipeline', ...definition };
}

export function defineCompositeFunction<const Name extends string>(definition: Omit<CompositeFunction<Name>, 'kind'>): CompositeFunction<Name> {
  return { kind: 'composite', ...definition };
}

/** A prompt type of the function with its built-in default, for prompt resolution. */
export function promptOf<P extends string>(definition: PipelineFunction<string, P>, type: P = definition.promptType): { type: P; builtIn: string } {
  return { type, builtIn: definition.prompts[type] };
}

/**
 * "Validating a, b, c and 4 more keywords": the first three names, then how many more. `names`
 * may hold only the first three; `count` is the total.
 */
export function validatingMessage(names: string[], count: number, noun: string): string {
  if (names.length === 0) return `Validating ${noun}s`;
  const total = Math.max(count, names.length);
  if (total <= 3) return `Validating ${joinNames(names.slice(0, 3))}`;
  return `Validating ${names.slice(0, 3).join(', ')} and ${total - 3} more ${noun}s`;
}

function joinNames(names: string[]): string {
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
