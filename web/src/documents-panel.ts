// Documents for the caller's org: upload files or paste URLs, follow each job's progress, see each
// document's outcome (with the reason of a failure), and list what is indexed.
import { h, sourceLabel } from './dom.js';
import { ApiError, type Api, type JobState, type StartedJob } from './api.js';
import { describeProblem } from './errors.js';

export class DocumentsPanel {
  readonly element: HTMLElement;
  private readonly jobs = h('ul', { class: 'jobs', 'aria-label': 'Ingestion jobs' });
  private readonly indexed = h('tbody');
  private readonly files = h('input', { id: 'upload', type: 'file', multiple: true });
  private readonly urls = h('textarea', { id: 'urls', rows: 2, placeholder: 'https://example.com/handbook.html' });

  constructor(private readonly api: Api) {
    this.files.addEventListener('change', () => {
      for (const file of this.files.files ?? []) void this.track(file.name, () => this.api.upload(file));
      this.files.value = '';
    });
    const urlForm = h('form', { class: 'urls' },
      h('label', { for: 'urls' }, 'Paste URLs, one per line'), this.urls, h('button', { type: 'submit' }, 'Add URLs'));
    urlForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const sources = this.urls.value.split(/\s+/).filter(Boolean);
      if (sources.length === 0) return;
      this.urls.value = '';
      void this.track(sources.length === 1 ? sources[0]! : `${sources.length} URLs`, () => this.api.ingestUrls(sources));
    });
    this.element = h('section', { class: 'documents', 'aria-labelledby': 'documents-heading', hidden: true },
      h('h2', { id: 'documents-heading', tabindex: '-1' }, 'Documents'),
      h('div', { class: 'upload' }, h('label', { for: 'upload' }, 'Upload files (Markdown, HTML, text, PDF, Word)'), this.files),
      urlForm, this.jobs,
      h('h3', {}, 'Indexed'),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Document'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Chunks'))),
        this.indexed)));
  }

  async refresh(): Promise<void> {
    const documents = await this.api.documents();
    this.indexed.replaceChildren(...documents.map((document) => h('tr', {},
      h('td', {}, document.title ? `${document.title} (${sourceLabel(document.source)})` : sourceLabel(document.source)),
      h('td', { class: `doc-${document.status}` }, document.status === 'failed' ? `failed: ${document.reason ?? ''}` : 'indexed'),
      h('td', {}, String(document.chunks)))));
    if (documents.length === 0) this.indexed.append(h('tr', {}, h('td', { colspan: 3 }, 'Nothing indexed yet.')));
  }

  private async track(label: string, start: () => Promise<StartedJob>): Promise<void> {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': `Progress of ${label}` });
    const outcome = h('p', { class: 'job-outcome', role: 'status' }, 'Starting…');
    this.jobs.prepend(h('li', { class: 'job' }, h('span', { class: 'job-name' }, label), bar, outcome));
    let job: StartedJob;
    try {
      job = await start();
    } catch (error) {
      outcome.textContent = error instanceof ApiError ? describeProblem(error) : 'The upload failed.';
      outcome.classList.add('error');
      return;
    }
    for (;;) {
      const state: JobState = await this.api.job(job.job_id);
      const progress = state.progress;
      if (progress) {
        bar.max = Math.max(1, progress.total);
        bar.value = progress.processed;
        outcome.textContent = `${progress.processed} of ${progress.total || '…'} processed: ${progress.indexed} indexed, ${progress.unchanged} unchanged, ${progress.failed} failed`;
      }
      if (state.state === 'failed') {
        outcome.textContent = `The job failed: ${state.error ?? 'unknown error'}`;
        outcome.classList.add('error');
      }
      if (state.state !== 'running') {
        await this.refresh();
        if (progress?.failures.length) outcome.append(h('ul', { class: 'failures' }, ...progress.failures.map((failure) => h('li', {}, `${sourceLabel(failure.source)}: ${failure.reason}`))));
        outcome.classList.add(progress && progress.failed === 0 && state.state === 'completed' ? 'ok' : 'error');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
