// The shared progress modal: follows one task over the live stream (Server-Sent Events) and
// falls back to polling task_progress every 1.5 s when the stream fails. Closing it stops only
// the following, never the task.
import { api, list } from './api.js';
import { el, formatCost, formatDuration, formatNumber, plural } from './dom.js';
import { articlePreview } from './article-preview.js';

const POLL_EVERY_MS = 1500;
const ENDED = ['SUCCESS', 'FAILURE', 'REVOKED'];
const STATE_WORDS = { PENDING: 'Waiting to start', PROGRESS: 'Running', SUCCESS: 'Done', FAILURE: 'Failed', REVOKED: 'Cancelled' };
const END_NOTES = { SUCCESS: 'The task has finished.', FAILURE: 'The task has failed.', REVOKED: 'The task was cancelled.' };

export class ProgressModal {
  constructor(dialog, { functions, rowLabel, onTaskEnded }) {
    this.dialog = dialog;
    this.functions = functions;
    this.rowLabel = rowLabel;
    this.onTaskEnded = onTaskEnded;
    this.part = (name) => dialog.querySelector(`[data-part="${name}"]`);
    this.following = null;
    this.part('close').addEventListener('click', () => this.dialog.close());
    this.part('cancel').addEventListener('click', () => this.cancel());
    this.part('retry').addEventListener('click', () => this.retry());
    // Esc and the Close button both end here: stop following; the task goes on.
    dialog.addEventListener('close', () => this.stopFollowing());
  }

  /** Opens the modal on a task and follows it until it ends or the modal closes. */
  open(taskId, functionName, ids = []) {
    this.stopFollowing();
    const fn = this.functions.byName(functionName);
    this.task = { taskId, fn, functionName, ids };
    this.percentage = 0;
    this.texts = new Map();
    this.part('title').textContent = fn?.display_name ?? functionName;
    this.part('task-id').textContent = taskId;
    this.renderPhases(fn);
    for (const name of ['error', 'result', 'text-section', 'queue', 'item', 'retry', 'cancel']) this.part(name).hidden = true;
    this.part('texts').replaceChildren();
    this.part('result').replaceChildren();
    this.render({ state: 'PENDING', meta: { phase: 'INIT', percentage: 0, message: 'Loading…', request_steps: [], response_steps: [], cost: 0, tokens: 0 } });
    this.setConnection('Connecting…');
    if (!this.dialog.open) this.dialog.showModal();
    const following = { stopped: false, source: null, timer: null };
    this.following = following;
    void this.firstLook(following);
  }

  stopFollowing() {
    const following = this.following;
    if (!following) return;
    following.stopped = true;
    following.source?.close();
    clearTimeout(following.timer);
    this.following = null;
  }

  /** One poll: an ended task is shown at once; a running one is then followed over its stream. */
  async firstLook(following) {
    try {
      const progress = await this.poll();
      if (following.stopped) return;
      this.render(progress);
      if (ENDED.includes(progress.state)) return this.ended(progress, following);
      if (progress.stream_url && typeof EventSource === 'function') this.openStream(progress.stream_url, following);
      else this.startPolling(following, 'Checking every 1.5 s.');
    } catch (error) {
      if (!following.stopped) this.startPolling(following, `Checking every 1.5 s (${error.message}).`);
    }
  }

  poll() {
    return api('GET', `/api/v1/system/settings/task_progress/${encodeURIComponent(this.task.taskId)}/`);
  }

  openStream(streamUrl, following) {
    // stream_url carries a short-lived token for this task only: EventSource cannot send the key.
    const source = new EventSource(streamUrl);
    following.source = source;
    source.addEventListener('open', () => this.setConnection('Live updates.'));
    source.addEventListener('progress', (event) => this.render(JSON.parse(event.data)));
    source.addEventListener('text', (event) => this.appendText(JSON.parse(event.data)));
    source.addEventListener('done', (event) => {
      source.close();
      const progress = JSON.parse(event.data);
      this.render(progress);
      this.ended(progress, following);
    });
    source.addEventListener('error', () => {
      if (following.stopped || following.ended) return;
      source.close();
      following.source = null;
      this.startPolling(following, 'The live stream was interrupted; checking every 1.5 s instead.');
    });
  }

  startPolling(following, note) {
    this.setConnection(note);
    const tick = async () => {
      if (following.stopped) return;
      try {
        const progress = await this.poll();
        if (following.stopped) return;
        this.render(progress);
        if (ENDED.includes(progress.state)) return this.ended(progress, following);
      } catch (error) {
        if (following.stopped) return;
        this.setConnection(`Checking every 1.5 s; the last check failed: ${error.message}`);
      }
      following.timer = setTimeout(tick, POLL_EVERY_MS);
    };
    following.timer = setTimeout(tick, POLL_EVERY_MS);
  }

  setConnection(text) {
    this.part('connection').textContent = text;
  }

  renderPhases(fn) {
    const phases = fn?.phases ?? [];
    this.part('phases').replaceChildren(
      ...phases.map((p) => el('li', { 'data-phase': p.phase }, el('span', { class: 'phase-name' }, p.phase), el('span', { class: 'phase-range' }, `${p.start}–${p.end} %`))),
    );
  }

  render(progress) {
    const { state, meta } = progress;
    // The API never moves backwards within a run; a late answer from the other channel must not either.
    this.percentage = Math.max(this.percentage, Math.round(meta.percentage ?? 0));
    const percentage = this.percentage;
    const bar = this.part('bar');
    bar.setAttribute('aria-valuenow', String(percentage));
    bar.setAttribute('aria-valuetext', `${percentage} %, ${meta.phase}`);
    this.part('bar-fill').style.width = `${percentage}%`;
    this.part('percentage').textContent = `${percentage} %`;
    this.dialog.dataset.state = state;
    this.dialog.dataset.phase = meta.phase;
    this.part('state').textContent = STATE_WORDS[state] ?? state;
    this.part('message').textContent = meta.message;

    let reached = true;
    for (const item of this.part('phases').children) {
      const current = item.dataset.phase === meta.phase && state !== 'SUCCESS';
      item.classList.toggle('done', state === 'SUCCESS' || (reached && !current));
      item.classList.toggle('current', current);
      if (current) item.setAttribute('aria-current', 'step');
      else item.removeAttribute('aria-current');
      if (current) reached = false;
    }

    const item = this.part('item');
    item.hidden = meta.current === undefined;
    if (!item.hidden) item.textContent = `Item ${meta.current} of ${meta.total}${meta.current_item ? `: ${meta.current_item}` : ''}`;
    const queue = this.part('queue');
    queue.hidden = meta.queue_position === undefined;
    if (!queue.hidden) queue.textContent = `Place in line for an AI call slot: ${meta.queue_position} (1 is next).`;

    this.part('cost').textContent = formatCost(meta.cost);
    this.part('tokens').textContent = formatNumber(meta.tokens);
    this.part('credits').textContent = meta.credits === undefined ? '—' : formatNumber(meta.credits);
    this.renderSteps('request-steps', meta.request_steps ?? []);
    this.renderSteps('response-steps', meta.response_steps ?? []);

    const running = !ENDED.includes(state);
    this.part('cancel').hidden = !running;
    this.part('retry').hidden = !(state === 'FAILURE' || state === 'REVOKED');
    const error = this.part('error');
    error.hidden = state !== 'FAILURE';
    if (state === 'FAILURE') this.part('error-message').textContent = progress.error || meta.message;
  }

  renderSteps(part, steps) {
    const rows = steps.map((s) =>
      el(
        'tr',
        { class: `step ${s.status}` },
        el('td', {}, s.stepNumber),
        el('td', {}, s.stepName),
        el('td', {}, el('span', { class: `status ${s.status}` }, s.status)),
        el('td', {}, s.error ?? s.message),
        el('td', { class: 'num' }, formatDuration(s.duration)),
      ),
    );
    this.part(part).replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No steps yet.'))]));
  }

  /** A piece of an article as the model writes it: raw model text, so added as text, never as HTML. */
  appendText({ item, text, attempt }) {
    this.part('text-section').hidden = false;
    let entry = this.texts.get(item);
    if (!entry || entry.attempt !== attempt) {
      const pre = el('pre', { class: 'stream-text', tabindex: 0 });
      const heading = el('h4', {}, `${this.rowLabel('writer_task', Number(item)) ?? `Writer task ${item}`}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      const block = el('div', { class: 'stream-item', 'data-item': item }, heading, pre);
      if (entry) entry.block.replaceWith(block);
      else this.part('texts').append(block);
      entry = { attempt, pre, block };
      this.texts.set(item, entry);
    }
    entry.pre.append(document.createTextNode(text));
    entry.pre.scrollTop = entry.pre.scrollHeight;
  }

  async ended(progress, following) {
    if (following.ended) return;
    following.ended = true;
    following.source?.close();
    clearTimeout(following.timer);
    this.setConnection(END_NOTES[progress.state]);
    if (progress.state === 'SUCCESS') await this.showResult(progress.result ?? {}, following);
    this.onTaskEnded(this.task);
  }

  async showResult(result, following) {
    const out = this.part('result');
    const counters = Object.entries(result).filter(([key, value]) => key !== 'items' && typeof value === 'number');
    const failed = (result.items ?? []).filter((i) => i.status === 'failed');
    out.append(el('h3', {}, 'Result'), el('ul', { class: 'counters' }, counters.map(([key, value]) => el('li', {}, `${key.replace(/_/g, ' ')}: ${formatNumber(value)}`))));
    if (failed.length) out.append(el('ul', { class: 'failed-items' }, failed.map((i) => el('li', {}, `Item ${i.id} failed: ${i.error ?? ''}`))));
    out.hidden = false;
    try {
      if ('images_generated' in result) await this.showImages(out, following);
      if (this.task.fn?.streams_text) await this.showArticles(out, following);
    } catch (error) {
      out.append(el('p', { class: 'note' }, `The saved rows could not be loaded: ${error.message}`));
    }
  }

  /** Thumbnails of the images the task generated (its image ids, or the images of its writer tasks). */
  async showImages(out, following) {
    const { fn, ids } = this.task;
    let images = [];
    if (fn.input.resource === 'image') images = (await list('/api/v1/writer/images/', { ids: ids.join(',') })).results;
    else if (fn.input.resource === 'writer_task') {
      for (const id of ids) images.push(...(await list('/api/v1/writer/images/', { task_id: String(id) })).results);
    }
    if (following.stopped) return;
    const shown = images.filter((i) => i.image_url);
    out.append(
      el('h3', {}, 'Images'),
      shown.length
        ? el('ul', { class: 'thumbs' }, shown.map((i) => el('li', {}, el('img', { src: i.image_url, alt: `${i.image_type} image ${i.id}: ${i.prompt}`, width: 120, height: 120 }))))
        : el('p', { class: 'note' }, 'No image was generated.'),
    );
  }

  /** The saved article of each writer task, as the API's sanitised HTML. */
  async showArticles(out, following) {
    for (const taskId of this.task.ids.slice(0, 5)) {
      const { results } = await list('/api/v1/writer/content/', { task_id: String(taskId) });
      if (!results.length || following.stopped) continue;
      const { data } = await api('GET', `/api/v1/writer/content/${results[0].id}/`);
      if (following.stopped) return;
      out.append(articlePreview(data, { open: out.querySelectorAll('details.article').length === 0 }));
    }
  }

  async cancel() {
    const button = this.part('cancel');
    button.disabled = true;
    try {
      const answer = await api('POST', `/api/v1/system/tasks/${encodeURIComponent(this.task.taskId)}/cancel/`);
      this.setConnection(answer.message);
    } catch (error) {
      this.setConnection(`Cancel failed: ${error.message}`);
    } finally {
      button.disabled = false;
    }
  }

  async retry() {
    const button = this.part('retry');
    button.disabled = true;
    try {
      const answer = await api('POST', `/api/v1/system/tasks/${encodeURIComponent(this.task.taskId)}/retry/`);
      const { functionName, ids } = this.task;
      this.open(answer.task_id, functionName, ids);
      this.onTaskEnded(null);
    } catch (error) {
      this.part('error-message').textContent = `Retry failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  }
}
