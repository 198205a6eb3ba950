import type { DashboardData } from '../server/data.ts';
import { append, clear, el } from './dom.ts';
import { when } from './format.ts';
import { load } from './load.ts';
import { showError } from './widgets.ts';

type EnrollmentPath = DashboardData['path'];

function pathPanel(p: EnrollmentPath): HTMLElement[] {
  const steps = p.steps.map((step) =>
    el('li', { 'data-step': step.state }, [
      el('span', { class: 'mono' }, when(step.enteredAt)),
      ' ',
      // States a node compiles to besides its own (its Choice, its Wait) are shown muted.
      step.node ? el('strong', {}, step.state) : el('span', { class: 'muted' }, step.state),
      step.node ? el('span', { class: 'muted' }, ` (${step.node})`) : null,
    ]),
  );
  const source = p.consoleUrl
    ? el(
        'p',
        {},
        el(
          'a',
          { href: p.consoleUrl, rel: 'noopener noreferrer', target: '_blank' },
          'Execution history in the Step Functions console',
        ),
      )
    : el('p', { class: 'muted' }, `From the execution history of ${p.executionArn}`);
  return [
    el('h2', {}, `Path: ${p.journeyId} v${p.journeyVersion} — ${p.status.toLowerCase()}`),
    el('div', { class: 'panel', 'data-path-panel': p.enrollmentId }, [el('ol', { class: 'path' }, steps), source]),
  ];
}

/**
 * A button that shows the enrollment's execution history (the states it went through, in order)
 * in the page's `#path` element.
 */
export function pathButton(contactId: string, enrollmentId: string): HTMLElement {
  const button = el('button', { type: 'button', class: 'link', 'data-path': enrollmentId }, 'Show path');
  button.addEventListener('click', () => {
    const target = document.getElementById('path') as HTMLElement;
    const query = `?contact=${encodeURIComponent(contactId)}&enrollment=${encodeURIComponent(enrollmentId)}`;
    load('path', query)
      .then((p) => {
        clear(target);
        append(target, pathPanel(p));
        target.scrollIntoView();
      })
      .catch((error: unknown) => showError(target, error));
  });
  return button;
}
