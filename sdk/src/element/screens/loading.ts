import { html, type TemplateResult } from 'lit';

/**
 * The spinner shown while the session loads, and while the interview starts. Its heading, for screen reader
 * navigation and as the place focus moves to, is not shown: the status says the same. Not `aria-busy`: a busy
 * region's status may never be read.
 */
export function renderLoading(label: string): TemplateResult {
  return html`
    <section part="loading" class="screen screen--loading" aria-labelledby="loading-heading">
      <h2 id="loading-heading" class="visually-hidden" tabindex="-1" data-autofocus>${label}</h2>
      <div class="spinner" aria-hidden="true"></div>
      <p role="status">${label}</p>
    </section>
  `;
}
