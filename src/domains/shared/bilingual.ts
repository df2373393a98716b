/** User-facing text: Chinese first, English beside it (STYLE.md conventions). */
export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export function bi(zh: string, en: string): Bilingual {
  return { zh, en };
}

/** One line for a toast or a reply: `中文 / English`. */
export function bilingualLine(text: Bilingual): string {
  return `${text.zh} / ${text.en}`;
}

/** A refusal or validation problem as data: a stable code for programs, text for people. */
export interface DomainProblem<Code extends string = string> {
  readonly code: Code;
  readonly message: Bilingual;
}

export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
