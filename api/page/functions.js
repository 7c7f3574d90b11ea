// One start button per AI function, built from GET /api/v1/system/ai-functions/ and placed in the
// section of the rows it takes. A button is enabled only for a selection the API would accept.
import { api } from './api.js';
import { el, plural } from './dom.js';
import { RESOURCES } from './rows.js';

/** What a function's start check asks of a selected row, by the requirement the API names. */
const REQUIREMENT_CHECKS = {
  image_prompt: { lacking: (store, rows) => rows.filter((r) => !r.prompt), says: 'no prompt' },
  task_content: {
    lacking: (store, rows) => {
      const written = new Set(store.rows.content.map((c) => c.task_id));
      return rows.filter((r) => !written.has(r.id));
    },
    says: 'no content',
  },
};

export class FunctionButtons {
  constructor({ store, onStarted, onError }) {
    this.store = store;
    this.onStarted = onStarted;
    this.onError = onError;
    this.functions = [];
    this.buttons = new Map();
  }

  async load() {
    const { results } = await api('GET', '/api/v1/system/ai-functions/');
    this.functions = results;
    for (const holder of document.querySelectorAll('[data-actions]')) holder.replaceChildren();
    this.buttons.clear();
    for (const fn of results) {
      const holder = this.store.section(fn.input.resource)?.querySelector('[data-actions]');
      if (!holder) continue;
      const reasonId = `why-${fn.name}`;
      const button = el('button', { type: 'button', class: 'start', 'data-function': fn.name, 'aria-describedby': reasonId }, fn.display_name);
      button.addEventListener('click', () => this.start(fn, button));
      const reason = el('span', { class: 'why', id: reasonId });
      const estimate = el('span', { class: 'estimate', 'aria-live': 'polite' });
      const ask = el('button', { type: 'button', class: 'small estimate-ask', 'data-estimate': fn.name, 'aria-describedby': reasonId }, 'Estimate cost');
      ask.addEventListener('click', () => this.estimate(this.buttons.get(fn.name)));
      holder.append(el('div', { class: 'start-line', title: fn.description }, button, ask, reason, estimate));
      this.buttons.set(fn.name, { fn, button, ask, reason, estimate, asked: 0 });
    }
    this.updateAll();
  }

  byName(name) {
    return this.functions.find((f) => f.name === name || f.aliases.includes(name));
  }

  updateAll() {
    for (const name of this.buttons.keys()) this.update(name);
  }

  /** Re-checks the buttons of the functions that take this kind of row (or whose check reads it). */
  updateFor(resource) {
    for (const { fn } of this.buttons.values()) {
      if (fn.input.resource === resource || (resource === 'content' && fn.start_requirement?.requires === 'task_content')) this.update(fn.name);
    }
  }

  /** Why the current selection cannot start this function, or '' when it can. */
  reasonNotToStart(fn) {
    const resource = fn.input.resource;
    const noun = RESOURCES[resource].noun;
    const rows = this.store.selectedRows(resource);
    if (rows.length === 0) return `Select at least one ${noun}.`;
    if (rows.length > fn.max_items) return `Takes at most ${plural(fn.max_items, noun)} at once; ${rows.length} are selected.`;
    const check = fn.start_requirement && REQUIREMENT_CHECKS[fn.start_requirement.requires];
    if (check) {
      const lacking = check.lacking(this.store, rows);
      if (lacking.length) return `${plural(lacking.length, noun)} selected with ${check.says} (${lacking.map((r) => r.id).join(', ')}). ${fn.start_requirement.description}`;
    }
    return '';
  }

  update(name) {
    const entry = this.buttons.get(name);
    if (!entry || entry.busy) return;
    const { fn, button, reason } = entry;
    const why = this.reasonNotToStart(fn);
    button.disabled = Boolean(why);
    const count = this.store.selectedRows(fn.input.resource).length;
    reason.textContent = why || `${plural(count, RESOURCES[fn.input.resource].noun)} selected (at most ${fn.max_items}).`;
    reason.classList.toggle('blocked', Boolean(why));
    entry.ask.disabled = Boolean(why);
    // An estimate is of the selection it was asked for: a new selection clears it.
    entry.asked++;
    entry.estimate.textContent = '';
  }

  /**
   * What starting the function on the selection would cost (POST /api/v1/system/tasks/estimate/),
   * shown beside its button: the credits it reserves, those it is likely to use, those available.
   */
  async estimate(entry) {
    const ids = this.store.selectedRows(entry.fn.input.resource).map((r) => r.id);
    const asked = ++entry.asked;
    entry.estimate.textContent = 'Estimating…';
    let text;
    try {
      const answer = await api('POST', '/api/v1/system/tasks/estimate/', { body: { function: entry.fn.name, ids } });
      text = `Reserves up to ${plural(answer.credits.max, 'credit')}, about ${answer.credits.expected} expected; ${answer.available_credits} available.`;
    } catch (error) {
      text = `No estimate: ${error.message}`;
    }
    if (asked === entry.asked) entry.estimate.textContent = text;
  }

  async start(fn, button) {
    const ids = this.store.selectedRows(fn.input.resource).map((r) => r.id);
    const entry = this.buttons.get(fn.name);
    entry.busy = true;
    button.disabled = true;
    try {
      const answer = await api('POST', fn.start.path, { body: { ids } });
      this.onStarted(fn, answer.task_id, ids);
    } catch (error) {
      this.onError(fn, error);
    } finally {
      entry.busy = false;
      this.update(fn.name);
    }
  }
}
