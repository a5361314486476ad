// What drawing a parameter's value gives (values.ts): the value, the values a right answer may
// hold, the words that put it in the query, and, when those words do not state it, the kind of
// working out they ask for. Its own module so that the number and string drawers and the
// phrasing share it without importing the entry points.

export interface Drawn {
  /** The reference value. */
  value: unknown;
  /** Values a right answer may give (BFCL accepted values), the reference value first. */
  accepted: unknown[];
  /** How the query states it. */
  text: string;
  /** Set when `text` does not state the value: the kind of derivation. */
  derived?: DerivationKind;
}

export type DerivationKind = 'number_words' | 'arithmetic' | 'unit_conversion' | 'lookup' | 'date_arithmetic' | 'sequence';
