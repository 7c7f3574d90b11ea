import { z } from 'zod';
import type { AIFunction } from '../../functions';
import { START_REQUIREMENTS } from '../../functions/start-checks';
import type { InputRows } from '../../pipeline/definition';
import { PHASE_RANGES, PHASES } from '../../pipeline/phases';

/** The rows a function's ids name, in the API's words, with the list endpoint that shows them. */
const INPUT_RESOURCES: Record<InputRows, { resource: string; list_path: string }> = {
  keyword: { resource: 'keyword', list_path: '/api/v1/planner/keywords/' },
  cluster: { resource: 'cluster', list_path: '/api/v1/planner/clusters/' },
  writerTask: { resource: 'writer_task', list_path: '/api/v1/writer/tasks/' },
  content: { resource: 'content', list_path: '/api/v1/writer/content/' },
  image: { resource: 'image', list_path: '/api/v1/writer/images/' },
};

export const aiFunctionView = z.object({
  name: z.string(),
  aliases: z.array(z.string()),
  display_name: z.string(),
  description: z.string(),
  /** `pipeline`: one run of the six phases; `composite`: other functions run one after another, their progress composed into one. */
  kind: z.enum(['pipeline', 'composite']),
  /** The most ids one start may name. */
  max_items: z.number().int(),
  start: z.object({ method: z.literal('POST'), path: z.string(), takes_sector_id: z.boolean() }),
  started_message: z.string(),
  input: z.object({
    resource: z.enum(['keyword', 'cluster', 'writer_task', 'content', 'image']),
    /** What one id is, in messages ("keyword", "task"). */
    noun: z.string(),
    list_path: z.string(),
  }),
  /** What every input row must have before the start endpoint accepts it (else 400), or null. */
  start_requirement: z.object({ requires: z.enum(['image_prompt', 'task_content']), description: z.string() }).nullable(),
  /** Whether the live progress stream sends the answer's text as it is written (`text` events). */
  streams_text: z.boolean(),
  /** The six phases in order, with the percentages each covers. */
  phases: z.array(z.object({ phase: z.enum(PHASES), start: z.number().int(), end: z.number().int() })),
});

export function toAiFunctionView(definition: AIFunction): z.infer<typeof aiFunctionView> {
  const input = INPUT_RESOURCES[definition.input];
  return {
    name: definition.name,
    aliases: [...definition.aliases],
    display_name: definition.displayName,
    description: definition.description,
    kind: definition.kind,
    max_items: definition.maxItems,
    start: { method: 'POST', path: definition.start.path, takes_sector_id: definition.start.takesSectorId ?? false },
    started_message: definition.startedMessage,
    input: { resource: input.resource as z.infer<typeof aiFunctionView>['input']['resource'], noun: definition.itemNoun, list_path: input.list_path },
    start_requirement: START_REQUIREMENTS[definition.name] ?? null,
    streams_text: definition.kind === 'pipeline' && definition.streamsText,
    phases: PHASES.map((phase) => ({ phase, ...PHASE_RANGES[phase] })),
  };
}
