/**
 * An AI answer's example, as a prompt shows it and as an error message names it. Each function
 * writes its example once (typed by its answer schema) and renders both from it. Pure code: the
 * prompts that hold the examples are part of the function definitions.
 */

/** `{"clusters": [{"name": "…"}]}`: JSON on one line, spaced as people write it. */
export function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** `{"clusters": [{"name", "keywords": [...]}]}`: the example's keys and nesting, without its values. */
export function describeShape(value: unknown): string {
  if (Array.isArray(value)) {
    const first = value[0];
    return first !== null && typeof first === 'object' ? `[${describeShape(first)}]` : '[...]';
  }
  if (value && typeof value === 'object') {
    const keys = Object.entries(value).map(([key, item]) =>
      item !== null && typeof item === 'object' ? `${JSON.stringify(key)}: ${describeShape(item)}` : JSON.stringify(key),
    );
    return `{${keys.join(', ')}}`;
  }
  return JSON.stringify(value);
}
