/**
 * PostgreSQL refuses U+0000 in `text` and `jsonb` values: a NUL that reaches a column is a 500.
 * The door looks for it in every string of a request (object keys too) before anything else.
 */

/** One step of the walk: a value and how it was reached, so a path is built only for the NUL found. */
interface Visit {
  value: unknown;
  key?: string | number;
  parent?: Visit;
}

/**
 * The path to the first string holding a NUL (or to the key that holds one), or undefined.
 * Iterative: a parsed body may be nested far deeper than the call stack allows.
 */
export function pathOfNul(value: unknown): Array<string | number> | undefined {
  const pending: Visit[] = [{ value }];
  while (pending.length > 0) {
    const visit = pending.pop()!;
    const current = visit.value;
    if (typeof current === 'string') {
      if (current.includes('\0')) return pathOf(visit);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], key: i, parent: visit });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i];
        if (key.includes('\0')) return pathOf({ value: key, key, parent: visit });
        pending.push({ value: inner, key, parent: visit });
      }
    }
  }
  return undefined;
}

function pathOf(visit: Visit): Array<string | number> {
  const path: Array<string | number> = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}
