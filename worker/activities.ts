import { createSharedActivities, type ActivityDeps } from '../activities';
import { createRunSteps, type FunctionRegistry } from '../activities/run-steps';
import { FUNCTION_ACTIVITIES } from '../functions/activities';
import { FUNCTION_STEPS } from '../functions/steps';

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type FunctionActivities = UnionToIntersection<ReturnType<(typeof FUNCTION_ACTIVITIES)[keyof typeof FUNCTION_ACTIVITIES]>>;

/**
 * Every activity the worker registers: the shared steps and each function's own, built from their
 * dependencies. Workflows proxy this type, and definitions name its keys, so wiring is checked by
 * the compiler.
 */
export function createActivities(deps: ActivityDeps): Activities {
  const own = Object.values(FUNCTION_ACTIVITIES).map((create) => create(deps));
  const streamsText = (name: string) => (FUNCTION_STEPS as FunctionRegistry)[name]?.definition.streamsText === true;
  return Object.assign({}, createSharedActivities(deps, streamsText), createRunSteps(deps, FUNCTION_STEPS), ...own);
}

export type Activities = ReturnType<typeof createSharedActivities> & ReturnType<typeof createRunSteps> & FunctionActivities;
