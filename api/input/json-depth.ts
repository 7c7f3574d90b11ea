/**
 * Whether a JSON value holds objects or arrays nested more than `levels` deep (the value itself
 * counts as the first level). Stops at the limit, so a value nested thousands deep costs no more
 * than one nested `levels + 1` deep.
 */
export function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (levels <= 0) return true;
  for (const inner of Object.values(value)) if (nestedDeeperThan(inner, levels - 1)) return true;
  return false;
}
