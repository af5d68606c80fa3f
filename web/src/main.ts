// Ragtime's browser chat client: sign in with an API key, then conversations, documents and usage.
import './styles.css';
import { h } from './dom.js';
import { Api, ApiError } from './api.js';
import { ChatView } from './chat-view.js';
import { ConversationList } from './conversation-list.js';
import { DocumentsPanel } from './documents-panel.js';
import { UsageMeter } from './usage-meter.js';
import { describeProblem } from './errors.js';
import { forgetKey, storedKey, storeKey, takeKeyFromFragment } from './session.js';

const root = document.querySelector<HTMLDivElement>('#app')!;

function signInView(message = ''): void {
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false', placeholder: 'rt_…' });
  const error = h('p', { class: 'error', role: 'alert' }, message);
  const form = h('form', { class: 'sign-in', 'aria-labelledby': 'sign-in-heading' },
    h('h1', { id: 'sign-in-heading' }, 'Ragtime'),
    h('p', {}, 'Durable chat over your documents: answers that survive dropped connections, can be stopped, cite their sources, and link to their run.'),
    h('label', { for: 'api-key' }, 'API key'), input,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'), error,
    h('p', { class: 'hint' }, 'Running locally? ./ragtime up prints a link that signs you in with the development key.'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn(input.value.trim()).catch((failure: unknown) => {
      error.textContent = failure instanceof ApiError ? describeProblem(failure) : 'The server could not be reached.';
    });
  });
  root.replaceChildren(h('main', { class: 'sign-in-page' }, form));
  input.focus();
}

async function signIn(key: string): Promise<void> {
  const api = new Api(key);
  const models = await api.models();
  storeKey(key);
  appView(api, key, models.map((model) => ({ id: model.id })));
}

function appView(api: Api, key: string, models: { id: string }[]): void {
  const usage = new UsageMeter(api);
  const documents = new DocumentsPanel(api);
  const chat: ChatView = new ChatView(api, key, {
    turnFinished: () => {
      void usage.refresh();
      void conversations.refresh();
    },
  });
  const conversations = new ConversationList(api, (id) => {
    void chat.open(id);
    document.body.classList.remove('show-sidebar');
  });
  chat.setModels(models);
  const documentsButton = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'documents' }, 'Documents');
  documents.element.id = 'documents';
  documentsButton.addEventListener('click', () => {
    const show = documents.element.hidden;
    documents.element.hidden = !show;
    documentsButton.setAttribute('aria-expanded', String(show));
    if (show) {
      void documents.refresh();
      documents.element.querySelector<HTMLElement>('h2')?.focus();
    }
  });
  const menu = h('button', { type: 'button', class: 'menu', 'aria-label': 'Conversations', onclick: () => document.body.classList.toggle('show-sidebar') }, '☰');
  const signOut = h('button', { type: 'button', class: 'quiet', onclick: () => { chat.close(); forgetKey(); signInView(); } }, 'Sign out');
  root.replaceChildren(
    h('header', { class: 'top' }, menu, h('h1', {}, 'Ragtime'), usage.element, documentsButton, signOut),
    h('div', { class: 'layout' }, conversations.element, h('main', { class: 'main' }, documents.element, chat.element), chat.citations.element),
  );
  void usage.refresh();
  void conversations.refresh().then((found) => {
    if (found[0]) conversations.select(found[0].id);
    else conversations.create();
  });
}

const fromFragment = takeKeyFromFragment();
const key = fromFragment ?? storedKey();
if (key) {
  signIn(key).catch((failure: unknown) => {
    if (failure instanceof ApiError && failure.status === 401) forgetKey();
    signInView(failure instanceof ApiError ? describeProblem(failure) : 'The server could not be reached.');
  });
} else {
  signInView();
}
