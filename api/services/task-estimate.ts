import { ApplicationFailure } from '@temporalio/common';
import type { PrismaClient } from '../../db/client';
import { findFunction, type AIFunction, type PipelineFunctionName } from '../../functions';
import { FUNCTION_STEPS } from '../../functions/steps';
import { creditsForCost, creditsToReserve, creditState } from '../../activities/credits';
import { loadOwned, type FunctionSteps } from '../../activities/function-steps';
import { imageCost, textCost } from '../../activities/pricing';
import { resolvePrompt } from '../../activities/prompts';
import { reaskOf } from '../../activities/reasks';
import { loadImageGenerationSettings, loadImageLayout } from '../../activities/settings/image-generation';
import { loadTextModelSettings } from '../../activities/settings/text-model';
import { FAILURE_TYPES } from '../../pipeline/failure-types';
import { bindProviderHosts } from '../../activities/provider-host-scope';
import { providerHostPolicy } from '../../activities/provider-hosts';
import { promptOf, type PipelineFunction } from '../../pipeline/definition';
import type { RunInput } from '../../pipeline/run-io';
import { BadRequestError } from '../errors';
import { checkSectorOfIds, checkStartIds } from './owned-ids';
import { resolveSector } from './sectors';

/**
 * What a start would cost, worked out before starting it: the credits its runs would reserve (the
 * most they can be charged) and what they are likely to be charged, from the account's own recent
 * runs of the function. Nothing is stored; the prompts are built as the run's PREP builds them.
 */
export interface TaskEstimate {
  function_name: string;
  /** Input rows (ids) the run would work on. */
  items: number;
  /** AI requests the run would make (one per item, or one for a batch; without corrective re-asks). */
  ai_calls: number;
  credits: { max: number; expected: number };
  cost_usd: { max: number; expected: number };
  available_credits: number;
  /** Where `expected` comes from: the account's recent runs, or the prompts' size alone. */
  basis: 'history' | 'prompt_size';
}

export interface EstimateRequest {
  accountId: number;
  ids: number[];
  sectorId?: number;
  promptOverride?: string;
}

/** Successful runs of the function whose requests `expected` learns from, newest first. */
export const HISTORY_RUNS = 20;

/**
 * Output tokens an answer of each text function typically has, when the account has no history
 * of it: an article is long, a list of image prompts short. Never more than the settings' max_tokens.
 */
export const TYPICAL_ANSWER_TOKENS: Record<string, number> = {
  auto_cluster: 1200,
  generate_ideas: 1500,
  generate_content: 3000,
  generate_image_prompts: 600,
};

/** Characters per input token when the prompt's size is all there is to go on. */
const CHARS_PER_TOKEN = 4;

/**
 * The start endpoint's checks (the same 400 and 404 answers), then the estimate. A function or its
 * settings the run would refuse is a 400 naming why.
 */
export async function estimateStart(prisma: PrismaClient, functionName: string, request: EstimateRequest): Promise<TaskEstimate> {
  const definition = findFunction(functionName);
  if (!definition) throw new BadRequestError(`Unknown function '${functionName}'. See GET /api/v1/system/ai-functions/ for the functions.`);
  await checkStartIds(prisma, request.accountId, definition, request.ids);
  if (request.sectorId !== undefined) {
    if (!definition.start.takesSectorId) throw new BadRequestError(`${definition.name} does not take a sector_id.`);
    await resolveSector(prisma, request.accountId, request.sectorId);
    await checkSectorOfIds(prisma, request.accountId, definition, request.ids, request.sectorId);
  }
  return estimateTask(prisma, definition, request);
}

/** The estimate of a start whose ids are checked already. */
export async function estimateTask(prisma: PrismaClient, definition: AIFunction, request: EstimateRequest): Promise<TaskEstimate> {
  const parts = await asRunWould(request.accountId, prisma, async () =>
    definition.kind === 'pipeline' ? [await estimatePipeline(prisma, definition.name as PipelineFunctionName, request)] : await estimateImagesForTasks(prisma, request),
  );
  const { available } = await creditState(prisma, request.accountId);
  const sum = (pick: (part: PartEstimate) => number) => parts.reduce((total, part) => total + pick(part), 0);
  const expectedCredits = sum((p) => p.expectedCredits);
  return {
    function_name: definition.name,
    items: request.ids.length,
    ai_calls: sum((p) => p.calls),
    // A run that produces output is charged at least one credit.
    credits: { max: sum((p) => p.maxCredits), expected: Math.max(1, expectedCredits) },
    cost_usd: { max: roundUsd(sum((p) => p.maxCostUsd)), expected: roundUsd(sum((p) => p.expectedCostUsd)) },
    available_credits: available,
    basis: parts.every((p) => p.basis === 'history') ? 'history' : 'prompt_size',
  };
}

interface PartEstimate {
  calls: number;
  maxCredits: number;
  maxCostUsd: number;
  expectedCredits: number;
  expectedCostUsd: number;
  basis: TaskEstimate['basis'];
}

interface CallEstimate {
  maxCostUsd: number;
  expectedCostUsd: number;
}

/** Each call reserves its own credits and is charged on its own (credits are whole per item). */
function partOf(calls: CallEstimate[], basis: TaskEstimate['basis']): PartEstimate {
  return {
    calls: calls.length,
    maxCredits: calls.reduce((sum, call) => sum + creditsToReserve(call.maxCostUsd), 0),
    maxCostUsd: calls.reduce((sum, call) => sum + call.maxCostUsd, 0),
    expectedCredits: calls.reduce((sum, call) => sum + creditsForCost(call.expectedCostUsd), 0),
    expectedCostUsd: calls.reduce((sum, call) => sum + call.expectedCostUsd, 0),
    basis,
  };
}

/**
 * A pipeline function's calls: its rows and settings loaded and checked and its prompts planned as
 * the run's startRun does (activities/run-steps.ts), with nothing stored; each call's most is what
 * the run reserves for it.
 */
async function estimatePipeline(prisma: PrismaClient, functionName: PipelineFunctionName, request: EstimateRequest): Promise<PartEstimate> {
  const { definition, steps } = FUNCTION_STEPS[functionName] as { definition: PipelineFunction; steps: FunctionSteps<{ id: number }, unknown> };
  const input: RunInput = {
    taskId: `estimate-${functionName}`,
    accountId: request.accountId,
    functionName,
    ids: request.ids,
    ...(request.sectorId !== undefined ? { sectorId: request.sectorId } : {}),
    ...(request.promptOverride ? { promptOverride: request.promptOverride } : {}),
  };
  const rows = await loadOwned(steps, prisma, input);
  const settings = await steps.settings(prisma, request.accountId);
  const { template } = await resolvePrompt(prisma, request.accountId, promptOf(definition), request.promptOverride);
  const plans = await steps.plan({ prisma, input, rows, template, settings });
  const maxOf = (promptChars: number) => steps.maxCallCostUsd(settings, promptChars);

  if (definition.activities.call === 'requestImage') {
    const { rates } = await loadImageGenerationSettings(prisma, request.accountId);
    // An image costs its price (the provider may report less): the most and the likely cost agree.
    return partOf(plans.map((plan) => ({ maxCostUsd: maxOf(plan.prompt.length), expectedCostUsd: imageCost(rates) })), 'prompt_size');
  }
  const text = await loadTextModelSettings(prisma, request.accountId);
  const history = await recentUsage(prisma, request.accountId, functionName);
  const typicalOut = Math.min(text.maxTokens, TYPICAL_ANSWER_TOKENS[functionName] ?? text.maxTokens);
  const calls = plans.map((plan) => {
    const chars = plan.prompt.length;
    const tokensIn = history ? Math.round(chars * history.inputTokensPerChar) : Math.ceil(chars / CHARS_PER_TOKEN);
    const tokensOut = history ? Math.round(history.outputTokensPerItem) : typicalOut;
    return { maxCostUsd: maxOf(chars), expectedCostUsd: textCost(text.rates, tokensIn, tokensOut) };
  });
  return partOf(calls, history ? 'history' : 'prompt_size');
}

/**
 * auto_generate_images: the image prompts of each task's content (a generate_image_prompts run),
 * then at most a featured image and `max_in_article_images` per enabled variant for each content
 * (a generate_images run): the images of today's settings, each at its price.
 */
async function estimateImagesForTasks(prisma: PrismaClient, request: EstimateRequest): Promise<PartEstimate[]> {
  const contents = await prisma.content.findMany({ where: { accountId: request.accountId, taskId: { in: request.ids } }, select: { id: true }, orderBy: { id: 'asc' } });
  const contentIds = contents.map((c) => c.id);
  const prompts = await estimatePipeline(prisma, 'generate_image_prompts', { accountId: request.accountId, ids: contentIds });
  const layout = await loadImageLayout(prisma, request.accountId);
  const { rates } = await loadImageGenerationSettings(prisma, request.accountId);
  const perContent = 1 + layout.maxInArticleImages * layout.variants.length;
  const price = imageCost(rates);
  const images = partOf(
    Array.from({ length: contentIds.length * perContent }, () => ({ maxCostUsd: price, expectedCostUsd: price })),
    prompts.basis,
  );
  return [prompts, images];
}

/** Tokens of the account's recent items of a text function: input per prompt character, output per item. */
interface RecentUsage {
  items: number;
  inputTokensPerChar: number;
  outputTokensPerItem: number;
}

/**
 * What the items of the account's last HISTORY_RUNS successful runs of the function used: an
 * item's tokens are those of its request and of its corrective re-asks, against its first
 * prompt's length. Undefined when there are none.
 */
export async function recentUsage(prisma: PrismaClient, accountId: number, functionName: string): Promise<RecentUsage | undefined> {
  const rows = await prisma.$queryRaw<Array<{ task_id: string; item_key: string; prompt_chars: number; input_tokens: number; output_tokens: number }>>`
    SELECT r.task_id, r.item_key, length(r.prompt)::int AS prompt_chars, r.input_tokens, r.output_tokens
    FROM ai_requests r
    WHERE r.response_text IS NOT NULL AND r.task_id IN (
      SELECT t.task_id FROM ai_task_logs t
      WHERE t.account_id = ${accountId} AND t.function_name = ${functionName} AND t.status = 'success'
      ORDER BY t.created_at DESC LIMIT ${HISTORY_RUNS})`;
  const items = new Map<string, { chars: number; tokensIn: number; tokensOut: number }>();
  for (const row of rows) {
    const { base, number } = reaskOf(row.item_key);
    const key = `${row.task_id}\u0000${base}`;
    const item = items.get(key) ?? { chars: 0, tokensIn: 0, tokensOut: 0 };
    if (number === 0) item.chars = row.prompt_chars;
    item.tokensIn += row.input_tokens;
    item.tokensOut += row.output_tokens;
    items.set(key, item);
  }
  const counted = [...items.values()].filter((item) => item.chars > 0 && item.tokensIn > 0);
  if (counted.length === 0) return undefined;
  const total = counted.reduce((sum, item) => ({ chars: sum.chars + item.chars, tokensIn: sum.tokensIn + item.tokensIn, tokensOut: sum.tokensOut + item.tokensOut }), {
    chars: 0,
    tokensIn: 0,
    tokensOut: 0,
  });
  return { items: counted.length, inputTokensPerChar: total.tokensIn / total.chars, outputTokensPerItem: total.tokensOut / counted.length };
}

/**
 * Runs the run's own loading and checks: a setting the run would fail on (configuration) or rows it
 * would refuse is a 400 with the run's message. Where the provider is (its host) does not change
 * the cost and is the worker's to allow (its AI_PROVIDER_ALLOWED_HOSTS), so the hosts the
 * account's settings name are taken as they are here.
 */
async function asRunWould<T>(accountId: number, prisma: PrismaClient, work: () => Promise<T>): Promise<T> {
  try {
    const named = await providerHostsOf(prisma, accountId);
    return await bindProviderHosts({ work }, providerHostPolicy(named)).work();
  } catch (err) {
    if (err instanceof ApplicationFailure && (err.type === FAILURE_TYPES.configuration || err.type === FAILURE_TYPES.invalidInput)) {
      throw new BadRequestError(err.message);
    }
    throw err;
  }
}

/** The `host[:port]` of each base URL in the account's integrations (one that is no URL is left to the loaders to refuse). */
async function providerHostsOf(prisma: PrismaClient, accountId: number): Promise<string[]> {
  const rows = await prisma.integrationSettings.findMany({ where: { accountId }, select: { config: true } });
  const hosts = new Set<string>();
  for (const { config } of rows) {
    const baseUrl = (config as { baseUrl?: unknown } | null)?.baseUrl;
    if (typeof baseUrl !== 'string' || !baseUrl) continue;
    try {
      const url = new URL(baseUrl);
      if (url.hostname) hosts.add(url.host);
    } catch {
      // not a URL: the settings loader names it
    }
  }
  return [...hosts].filter((host) => {
    try {
      providerHostPolicy([host]);
      return true;
    } catch {
      return false;
    }
  });
}

function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
