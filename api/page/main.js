// The page's wiring: sign in with an API key, then the rows, the start buttons, the recent tasks
// and the progress modal.
import { api, apiKey, onUnauthorized } from './api.js';
import { articlePreview } from './article-preview.js';
import { formatNumber } from './dom.js';
import { wireForms } from './forms.js';
import { FunctionButtons } from './functions.js';
import { ProgressModal } from './progress-modal.js';
import { RecentTasks } from './recent-tasks.js';
import { RESOURCES, RowStore } from './rows.js';

const byId = (id) => document.getElementById(id);
const signInForm = byId('sign-in');
const keyInput = byId('api-key');
const signInStatus = byId('sign-in-status');
const accountPanel = byId('account');
const workspace = byId('workspace');
const pageAlert = byId('page-alert');

function alertPage(text) {
  pageAlert.textContent = text;
  pageAlert.hidden = !text;
}

const store = new RowStore({
  onSelection: (resource) => buttons.updateFor(resource),
  onPreview: (row) => void previewContent(row),
});
const buttons = new FunctionButtons({
  store,
  onStarted: (fn, taskId, ids) => {
    alertPage('');
    modal.open(taskId, fn.name, ids);
    void recent.load().catch(() => undefined);
  },
  onError: (fn, error) => alertPage(`${fn.display_name} did not start: ${error.message}`),
});
const modal = new ProgressModal(byId('progress-dialog'), {
  functions: buttons,
  rowLabel: (resource, id) => {
    const row = store.rows[resource]?.find((r) => r.id === id);
    return row ? RESOURCES[resource].label(row) : undefined;
  },
  onTaskEnded: () => void refresh(),
});
const recent = new RecentTasks(byId('recent-tasks'), { functions: buttons, onOpen: (taskId, name, ids) => modal.open(taskId, name, ids) });
wireForms(store);

async function previewContent(row) {
  const holder = document.querySelector('section[data-resource="content"] [data-preview]');
  try {
    const { data } = await api('GET', `/api/v1/writer/content/${row.id}/`);
    holder.replaceChildren(articlePreview(data));
    holder.querySelector('summary')?.focus();
  } catch (error) {
    holder.textContent = `The article could not be loaded: ${error.message}`;
  }
}

async function showAccount(account) {
  byId('account-name').textContent = `${account.name} (account ${account.account_id})`;
  byId('account-credits').textContent = `${formatNumber(account.credits.available)} credits available`;
}

/** Everything the signed-in account sees, loaded again after each task ends. */
async function refresh() {
  try {
    const [account] = await Promise.all([api('GET', '/api/v1/system/account/'), store.loadAll(), recent.load()]);
    await showAccount(account);
  } catch (error) {
    if (error.status !== 401) alertPage(`Loading failed: ${error.message}`);
  }
}

async function connect(key, { quiet = false } = {}) {
  signInStatus.textContent = quiet ? '' : 'Connecting…';
  signInStatus.classList.remove('bad');
  let account;
  try {
    account = await api('GET', '/api/v1/system/account/', { key });
  } catch (error) {
    if (quiet) apiKey.forget();
    signInStatus.textContent =
      error.status === 401 ? 'That API key was not accepted. Check it and try again.' : `Could not sign in: ${error.message}`;
    signInStatus.classList.add('bad');
    keyInput.focus();
    return;
  }
  apiKey.set(key);
  keyInput.value = '';
  signInForm.hidden = true;
  accountPanel.hidden = false;
  workspace.hidden = false;
  signInStatus.textContent = `Signed in as ${account.name}.`;
  await showAccount(account);
  try {
    await buttons.load();
    await Promise.all([store.loadAll(), recent.load()]);
  } catch (error) {
    alertPage(`Loading failed: ${error.message}`);
  }
}

function signOut(note) {
  apiKey.forget();
  if (byId('progress-dialog').open) byId('progress-dialog').close();
  store.clear();
  recent.clear();
  workspace.hidden = true;
  accountPanel.hidden = true;
  signInForm.hidden = false;
  alertPage('');
  signInStatus.textContent = note;
  signInStatus.classList.toggle('bad', note !== 'Signed out; the key is forgotten.');
  keyInput.focus();
}

signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    signInStatus.textContent = 'Enter an API key.';
    signInStatus.classList.add('bad');
    return;
  }
  void connect(key);
});
byId('sign-out').addEventListener('click', () => signOut('Signed out; the key is forgotten.'));
byId('refresh').addEventListener('click', () => void refresh());
onUnauthorized(() => signOut('The API key is no longer accepted; sign in again.'));

const stored = apiKey.get();
if (stored) void connect(stored, { quiet: true });
else keyInput.focus();
