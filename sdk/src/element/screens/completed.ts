import { html, nothing, type TemplateResult } from 'lit';
import type { CompletionReason, Session } from '../../client/types.ts';
import type { LocalizeController } from '../localize.ts';

const reasonNote: Partial<Record<CompletionReason, 'completedTimeLimit' | 'completedYouEnded'>> = {
  time_limit: 'completedTimeLimit',
  candidate_ended: 'completedYouEnded',
};

/** The thank-you screen; the `completed` slot replaces its content. */
export function renderCompleted(
  localize: LocalizeController,
  session: Session | null,
  reason: CompletionReason | undefined,
): TemplateResult {
  const note = reason ? reasonNote[reason] : undefined;
  return html`
    <section part="completed" class="screen screen--completed" aria-labelledby="completed-heading" tabindex="-1">
      <slot name="completed">
        <div class="badge" aria-hidden="true">✓</div>
        <h2 id="completed-heading" tabindex="-1" data-autofocus>${localize.term('completedHeading')}</h2>
        ${note ? html`<p>${localize.term(note)}</p>` : nothing}
        <p class="muted">${localize.term('completedText', { company: session?.company.name ?? '' })}</p>
      </slot>
    </section>
  `;
}
