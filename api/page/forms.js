// Adding rows: keywords (one a line), a writer task, and writer tasks from selected ideas.
import { api } from './api.js';
import { plural } from './dom.js';

/** Runs a form's action, saying how it went in the form's status line. */
function handle(form, action) {
  const status = form.querySelector('[data-status]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    status.textContent = '';
    status.classList.remove('bad');
    try {
      status.textContent = await action(form);
    } catch (error) {
      status.textContent = error.message;
      status.classList.add('bad');
    } finally {
      button.disabled = false;
    }
  });
}

export function wireForms(store) {
  handle(document.getElementById('add-keywords'), async (form) => {
    const words = form.elements['new-keywords'].value.split('\n').map((w) => w.trim()).filter(Boolean);
    if (!words.length) throw new Error('Write at least one keyword, one a line.');
    const { ids } = await api('POST', '/api/v1/planner/keywords/', { body: { keywords: words.map((keyword) => ({ keyword })) } });
    form.reset();
    await store.load('keyword');
    return `Added ${plural(ids.length, 'keyword')}.`;
  });

  handle(document.getElementById('add-writer-task'), async (form) => {
    const title = form.elements['task-title'].value.trim();
    if (!title) throw new Error('A writer task needs a title.');
    const task = { title, keywords: form.elements['task-keywords'].value.trim(), description: form.elements['task-description'].value };
    const { ids } = await api('POST', '/api/v1/writer/tasks/', { body: { tasks: [task] } });
    form.reset();
    await store.load('writer_task');
    return `Added writer task ${ids[0]}.`;
  });

  handle(document.getElementById('tasks-from-ideas'), async () => {
    const ideas = store.selectedRows('idea');
    if (!ideas.length) throw new Error('Select at least one idea first.');
    const tasks = ideas.map((idea) => ({
      title: idea.idea_title.slice(0, 255),
      idea_id: idea.id,
      description: idea.description,
      keywords: idea.target_keywords.slice(0, 5000),
      content_type: idea.content_type,
      content_structure: idea.content_structure,
    }));
    const { ids } = await api('POST', '/api/v1/writer/tasks/', { body: { tasks } });
    await store.load('writer_task');
    return `Added ${plural(ids.length, 'writer task')}.`;
  });
}
