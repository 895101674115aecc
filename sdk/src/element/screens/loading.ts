import { html, type TemplateResult } from 'lit';

/** The spinner shown while the session loads, and while the interview starts. */
export function renderLoading(label: string): TemplateResult {
  return html`
    <section part="loading" class="screen screen--loading" aria-busy="true" tabindex="-1" data-autofocus>
      <div class="spinner" aria-hidden="true"></div>
      <p role="status">${label}</p>
    </section>
  `;
}
