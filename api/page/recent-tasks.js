// The account's recent tasks (its run records), each of which reopens the progress modal.
import { list } from './api.js';
import { el, formatCost, formatTime } from './dom.js';

const STATUS_WORDS = { pending: 'running', success: 'done', error: 'failed', revoked: 'cancelled' };

export class RecentTasks {
  constructor(table, { functions, onOpen }) {
    this.body = table.querySelector('tbody');
    this.functions = functions;
    this.onOpen = onOpen;
  }

  async load() {
    const { results } = await list('/api/v1/system/ai-task-logs/', { limit: '15' });
    const rows = results.map((log) => {
      const name = this.functions.byName(log.function_name)?.display_name ?? log.function_name;
      const when = formatTime(log.created_at);
      const ids = Array.isArray(log.payload?.ids) ? log.payload.ids : [];
      return el(
        'tr',
        { 'data-task-id': log.task_id },
        el('td', {}, name),
        el('td', {}, el('span', { class: `status ${log.status}` }, STATUS_WORDS[log.status] ?? log.status)),
        el('td', { class: 'log-message' }, log.error ?? log.message),
        el('td', { class: 'num' }, formatCost(log.cost)),
        el('td', {}, el('time', { datetime: log.created_at }, when)),
        el(
          'td',
          {},
          el('button', { type: 'button', class: 'small', 'aria-label': `Open ${name} task of ${when}`, onclick: () => this.onOpen(log.task_id, log.function_name, ids) }, 'Open'),
        ),
      );
    });
    this.body.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'No tasks yet.'))]));
  }

  clear() {
    this.body.replaceChildren();
  }
}
