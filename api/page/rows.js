// The account's rows, one section each, every row with a checkbox labelled by its name.
import { list } from './api.js';
import { el, formatCost, plural } from './dom.js';

/** Each kind of row: where it is listed, what one is called, its label and its details. */
export const RESOURCES = {
  keyword: {
    noun: 'keyword',
    path: '/api/v1/planner/keywords/',
    label: (r) => r.keyword,
    details: (r) => [`volume ${r.volume}`, r.status, r.cluster_id ? `cluster ${r.cluster_id}` : ''],
  },
  cluster: {
    noun: 'cluster',
    path: '/api/v1/planner/clusters/',
    label: (r) => r.name,
    details: (r) => [plural(r.keywords_count, 'keyword'), `volume ${r.volume}`, r.status],
  },
  idea: {
    noun: 'idea',
    path: '/api/v1/planner/ideas/',
    label: (r) => r.idea_title,
    details: (r) => [r.content_type, `${r.estimated_word_count} words`, r.status, r.cluster_id ? `cluster ${r.cluster_id}` : ''],
  },
  writer_task: {
    noun: 'writer task',
    path: '/api/v1/writer/tasks/',
    label: (r) => r.title,
    details: (r) => [r.status, r.keywords],
  },
  content: {
    noun: 'article',
    path: '/api/v1/writer/content/',
    label: (r) => r.title,
    details: (r) => [`${r.word_count} words`, r.status, `writer task ${r.task_id}`],
  },
  image: {
    noun: 'image',
    path: '/api/v1/writer/images/',
    label: (r) => `${r.image_type} image ${r.id} (article ${r.content_id})`,
    details: (r) => [r.status, r.prompt ? `prompt: ${r.prompt}` : 'no prompt yet', r.cost ? formatCost(r.cost) : ''],
  },
};

/** The rows shown, and which are selected; tells `onSelection` when a selection changes. */
export class RowStore {
  constructor({ onSelection, onPreview }) {
    this.onSelection = onSelection;
    this.onPreview = onPreview;
    this.rows = {};
    this.counts = {};
    this.selected = {};
    for (const resource of Object.keys(RESOURCES)) {
      this.rows[resource] = [];
      this.selected[resource] = new Set();
      const all = this.section(resource).querySelector('[data-select-all]');
      all?.addEventListener('change', () => {
        for (const row of this.rows[resource]) (all.checked ? this.selected[resource].add(row.id) : this.selected[resource].delete(row.id));
        this.render(resource);
        this.onSelection(resource);
      });
    }
  }

  section(resource) {
    return document.querySelector(`section[data-resource="${resource}"]`);
  }

  async loadAll() {
    await Promise.all(Object.keys(RESOURCES).map((resource) => this.load(resource)));
  }

  async load(resource) {
    const { count, results } = await list(RESOURCES[resource].path);
    this.rows[resource] = results;
    this.counts[resource] = count;
    const present = new Set(results.map((r) => r.id));
    for (const id of this.selected[resource]) if (!present.has(id)) this.selected[resource].delete(id);
    this.render(resource);
    this.onSelection(resource);
  }

  selectedRows(resource) {
    return this.rows[resource].filter((r) => this.selected[resource].has(r.id));
  }

  clear() {
    for (const resource of Object.keys(RESOURCES)) {
      this.rows[resource] = [];
      this.counts[resource] = 0;
      this.selected[resource].clear();
      this.render(resource);
    }
  }

  render(resource) {
    const { noun, label, details } = RESOURCES[resource];
    const section = this.section(resource);
    const rows = this.rows[resource];
    const selected = this.selected[resource];
    const shown = rows.length < (this.counts[resource] ?? 0) ? ` (showing the newest ${rows.length})` : '';
    section.querySelector('[data-count]').textContent = `${plural(this.counts[resource] ?? 0, noun)}${shown}`;
    const all = section.querySelector('[data-select-all]');
    if (all) {
      all.checked = rows.length > 0 && rows.every((r) => selected.has(r.id));
      all.disabled = rows.length === 0;
    }
    const items = rows.map((row) => {
      const id = `row-${resource}-${row.id}`;
      const box = el('input', { type: 'checkbox', id, value: row.id, checked: selected.has(row.id) });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(row.id);
        else selected.delete(row.id);
        if (all) all.checked = rows.every((r) => selected.has(r.id));
        this.onSelection(resource);
      });
      const info = details(row).filter(Boolean).join(' · ');
      return el(
        'li',
        { class: 'row' },
        box,
        el('label', { for: id }, label(row) || `${noun} ${row.id}`),
        el('span', { class: 'row-details' }, info),
        resource === 'image' && row.image_url
          ? el('img', { class: 'thumb', src: row.image_url, alt: `${label(row)}`, loading: 'lazy', width: 64, height: 64 })
          : null,
        resource === 'content'
          ? el('button', { type: 'button', class: 'small', 'aria-label': `Preview “${label(row)}”`, onclick: () => this.onPreview(row) }, 'Preview')
          : null,
      );
    });
    const target = section.querySelector('[data-rows]');
    target.replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, `No ${noun}s yet.`)]));
  }
}
