// Why a reviewer rejects a pair: the short list the review queue offers (Shift+R), kept in the
// review journal with the decision (reviewEntries.ts). No Node imports: the panel's page uses it too.

export type RejectReason = 'wrong_chosen' | 'both_wrong' | 'too_alike' | 'not_an_error' | 'other';

export const REJECT_REASONS: readonly RejectReason[] = ['wrong_chosen', 'both_wrong', 'too_alike', 'not_an_error', 'other'];

export const REJECT_REASON_LABEL: Record<RejectReason, string> = {
  wrong_chosen: 'wrong chosen side',
  both_wrong: 'both sides wrong',
  too_alike: 'sides too alike',
  not_an_error: 'not a real error',
  other: 'other',
};
