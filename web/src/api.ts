// The API over HTTP with the signed-in key. Errors keep the API's code, message and retry time.
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Model { id: string }
export interface ConversationSummary { id: string; title: string; turns: number; updated_at: string }
export interface Citation { index: number; title: string; source: string; snippet: string; headingPath?: string[]; position?: number }
export interface StoredTurn {
  request_id: string; question: string; answer: string; model: string | null; outcome: string;
  usage: { prompt_tokens: number; completion_tokens: number }; citations: Citation[]; workflow_id: string; temporal_ui_url: string;
}
export interface Usage {
  budget: { period: string; monthly_budget_usd: number | null; spent_usd: number; reserved_usd: number; remaining_usd: number | null };
  data: { total_tokens: number; requests: number; cost_usd: number }[];
}
export interface IndexedDocument { document_id: string; source: string; uploaded: boolean; title: string | null; status: 'indexed' | 'failed'; reason: string | null; chunks: number; updated_at: string }
export interface JobProgress { total: number; processed: number; indexed: number; unchanged: number; failed: number; failures: { source: string; reason: string }[] }
export interface JobState { job_id: string; state: 'running' | 'completed' | 'partial' | 'failed'; progress?: JobProgress; error?: string }
export interface StartedJob { job_id: string; status_url: string }

export class Api {
  constructor(private readonly key: string) {}

  private async request<T>(method: string, path: string, body?: BodyInit, contentType = 'application/json'): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      body,
    });
    const payload = await response.json().catch(() => undefined) as { error?: { code?: string; message?: string } } | undefined;
    if (!response.ok) {
      const retry = Number(response.headers.get('retry-after'));
      throw new ApiError(response.status, payload?.error?.code ?? `http_${response.status}`, payload?.error?.message ?? response.statusText, Number.isFinite(retry) && retry > 0 ? retry : undefined);
    }
    return payload as T;
  }

  models = async () => (await this.request<{ data: Model[] }>('GET', '/v1/models')).data;
  usage = () => this.request<Usage>('GET', '/v1/usage');
  conversations = async () => (await this.request<{ data: ConversationSummary[] }>('GET', '/v1/conversations')).data;
  turns = async (id: string) => (await this.request<{ data: StoredTurn[] }>('GET', `/v1/conversations/${encodeURIComponent(id)}/turns`)).data;
  rename = (id: string, title: string) => this.request('PATCH', `/v1/conversations/${encodeURIComponent(id)}`, JSON.stringify({ title }));
  documents = async () => (await this.request<{ data: IndexedDocument[] }>('GET', '/v1/ingestion/documents')).data;
  ingestUrls = (sources: string[]) => this.request<StartedJob>('POST', '/v1/ingestion/jobs', JSON.stringify({ sources }));
  upload = (file: File) => this.request<StartedJob>('POST', `/v1/ingestion/files?name=${encodeURIComponent(file.name)}`, file, 'application/octet-stream');
  job = (jobId: string) => this.request<JobState>('GET', `/v1/ingestion/jobs/${encodeURIComponent(jobId)}`);
}
