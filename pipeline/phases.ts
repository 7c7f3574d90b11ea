/** The six phases every AI function runs through, with their percentage ranges. */
export const PHASES = ['INIT', 'PREP', 'AI_CALL', 'PARSE', 'SAVE', 'DONE'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_RANGES: Record<Phase, { start: number; end: number }> = {
  INIT: { start: 0, end: 10 },
  PREP: { start: 10, end: 25 },
  AI_CALL: { start: 25, end: 70 },
  PARSE: { start: 70, end: 85 },
  SAVE: { start: 85, end: 98 },
  DONE: { start: 98, end: 100 },
};

/** Percentage reached inside a phase after `done` of `total` steps (whole numbers, never past the phase's end). */
export function phasePercentage(phase: Phase, done: number, total: number): number {
  const { start, end } = PHASE_RANGES[phase];
  if (total <= 0) return start;
  const fraction = Math.min(Math.max(done / total, 0), 1);
  return Math.round(start + (end - start) * fraction);
}
