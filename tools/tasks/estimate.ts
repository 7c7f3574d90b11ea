import type { TaskEstimate } from '../../api/services/task-estimate';

/** An estimate as lines for a person: what the start would reserve, what it is likely to cost, what the account has. */
export function estimateText(estimate: TaskEstimate): string {
  const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;
  const usd = (n: number) => `$${n.toFixed(4)}`;
  const lines = [
    `${estimate.function_name} of ${estimate.items} item(s): ${estimate.ai_calls} AI call(s)`,
    `reserves  ${credits(estimate.credits.max)} at most (${usd(estimate.cost_usd.max)})`,
    `expected  ${credits(estimate.credits.expected)} (${usd(estimate.cost_usd.expected)}, ${estimate.basis === 'history' ? "from the account's recent runs" : "from the prompts' size"})`,
    `available ${credits(estimate.available_credits)}`,
  ];
  if (estimate.available_credits < estimate.credits.max) lines.push('Not enough credits available to reserve every call at once: calls that cannot reserve fail.');
  return lines.join('\n');
}
