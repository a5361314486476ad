// The keyboard of the panel's small inline forms (reject with a reason, mark a fragment, edit a
// chosen side): Ctrl+Enter (Cmd+Enter) submits from anywhere in the form, Enter submits from a
// one-line field, Escape cancels (after closing an open drop-down first). Keys typed in a form stay
// in it: the page's single-key shortcuts (A, R, M, J…) never fire while a form has the focus, and
// a text box keeps its own editing keys (Ctrl+Z undoes typing there, not a review action).

export interface FormKeys {
  submit: () => void;
  cancel: () => void;
  /** Enter in a one-line text field submits (default true). */
  enterSubmits?: boolean;
}

const isOpenSelect = (t: EventTarget | null): boolean => t instanceof HTMLElement && t.matches('.ui-select') && (t as HTMLElement & { open?: boolean }).open === true;

export function formKeys(form: HTMLElement, k: FormKeys): void {
  // Capture: before a control's own handler (a select keeps Escape and Enter to itself).
  form.addEventListener(
    'keydown',
    (e) => {
      if (e.key === 'Escape' && !isOpenSelect(e.target)) {
        e.preventDefault();
        e.stopPropagation();
        k.cancel();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        e.stopPropagation();
        k.submit();
      } else if (e.key === 'Enter' && !e.shiftKey && k.enterSubmits !== false && e.target instanceof HTMLElement && e.target.matches('.ui-textfield')) {
        e.preventDefault();
        e.stopPropagation();
        k.submit();
      }
    },
    true,
  );
  // Bubble: whatever the form's controls did not take stays in the form (no page shortcuts).
  form.addEventListener('keydown', (e) => e.stopPropagation());
}
