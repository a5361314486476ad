// Value judgements for the checker: BFCL's rules for Python (pyValues.ts), Java and JavaScript
// (javaJs.ts), and the plainer rules of reference mode (reference.ts); the checker and other
// importers take them from here.
import { javaJsValue, type BfclLanguage } from './javaJs';
import { bfclType, judge, pyType, type ValueVerdict } from './pyValues';

export { bfclLanguage, type BfclLanguage } from './javaJs';
export { bfclType, firstAccepted, plainAccepted, pyEq, pyType, pyTypeName, show, standardize, type PyType, type ValueVerdict } from './pyValues';
export { refEq, refValue, schemaTypeOk } from './reference';

/**
 * One parameter value against BFCL's accepted values, with the parameter's declared type (and the
 * type of its array items). An undeclared type skips the type check, and the value's own type
 * picks the comparison. `language` is the language the calls are written in (bfclLanguage): Java
 * and JavaScript parameters are judged as BFCL judges them, see javaJsValue.
 */
export function bfclValue(value: unknown, literal: string | undefined, declared: unknown, itemsDeclared: unknown, accepted: readonly unknown[], language: BfclLanguage = 'python'): ValueVerdict {
  if (language !== 'python') {
    const lv = javaJsValue(value, literal, declared, itemsDeclared, accepted, language);
    if (lv) return lv;
  }
  return judge(value, pyType(value, literal), bfclType(declared), bfclType(itemsDeclared), accepted);
}
