// The month's spend against the org's budget, from /v1/usage.
import { h } from './dom.js';
import type { Api } from './api.js';

const dollars = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;

export class UsageMeter {
  readonly element = h('p', { class: 'usage', 'aria-live': 'polite' });

  constructor(private readonly api: Api) {}

  async refresh(): Promise<void> {
    const usage = await this.api.usage();
    const { spent_usd: spent, monthly_budget_usd: budget } = usage.budget;
    const tokens = usage.data.reduce((sum, row) => sum + row.total_tokens, 0);
    this.element.textContent = `${usage.budget.period}: ${dollars(spent)} spent of ${budget === null ? 'no budget limit' : dollars(budget)} · ${tokens.toLocaleString('en')} tokens`;
    this.element.classList.toggle('exhausted', budget !== null && spent >= budget);
  }
}
