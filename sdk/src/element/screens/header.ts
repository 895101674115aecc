import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Session } from '../../client/types.ts';
import type { HasSlotController } from '../has-slot.ts';
import type { LocalizeController } from '../localize.ts';

/**
 * The header: the company's logo (or the `logo` slot) and the job title; the `header` slot replaces it all.
 * Hidden while there is nothing to show in it. The job title is in the interview's language, not the widget's.
 */
export function renderHeader(
  localize: LocalizeController,
  slots: HasSlotController,
  session: Session | null,
): TemplateResult {
  const logoUrl = session?.company.logo_url;
  const showLogo = slots.has('logo') || Boolean(logoUrl);
  return html`
      <div part="header" class="header" ?hidden=${!session && !slots.has('header') && !slots.has('logo')}>
        <slot name="header">
          <span part="logo" class="logo" ?hidden=${!showLogo}>
            <slot name="logo">
              ${
                logoUrl && session
                  ? html`<img src=${logoUrl} alt=${localize.term('companyLogo', { company: session.company.name })} />`
                  : nothing
              }
            </slot>
          </span>
          <div part="title" class="title">
            <span class="title__job" lang=${ifDefined(session?.language)}>${session?.job.title ?? ''}</span>
            <span class="title__company">${session?.company.name ?? ''}</span>
          </div>
        </slot>
      </div>
    `;
}
