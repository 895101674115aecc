import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Whether named slots have content, for parts that should collapse when nothing is slotted into them. */
export class HasSlotController implements ReactiveController {
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly names: string[],
  ) {
    host.addController(this);
  }

  has(name: string): boolean {
    return [...this.host.children].some((child) => child.getAttribute('slot') === name);
  }

  private readonly handleSlotChange = (event: Event) => {
    const slot = event.target as HTMLSlotElement;
    if (this.names.includes(slot.name)) this.host.requestUpdate();
  };

  hostConnected(): void {
    this.host.shadowRoot?.addEventListener('slotchange', this.handleSlotChange);
  }

  hostDisconnected(): void {
    this.host.shadowRoot?.removeEventListener('slotchange', this.handleSlotChange);
  }
}
