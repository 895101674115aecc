import { html, nothing, type TemplateResult } from 'lit';
import type { LocalizeController } from '../localize.ts';

/**
 * The banner over the live screen while the connection is restored. The live region around it stays in
 * the page, so screen readers announce the banner when it appears.
 */
export function renderReconnecting(localize: LocalizeController, reconnecting: boolean): TemplateResult {
  return html`
    <div role="status" class="announcer">
      ${
        reconnecting
          ? html`
            <div part="reconnecting" class="banner">
              <span class="spinner spinner--small" aria-hidden="true"></span>
              <p><strong>${localize.term('reconnecting')}</strong> ${localize.term('reconnectingDetail')}</p>
            </div>
          `
          : nothing
      }
    </div>
  `;
}
