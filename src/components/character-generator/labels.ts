import type { ParameterFormLabels } from '../parameter-form/index.js';
import type { ReferenceUploaderLabels } from '../reference-uploader/index.js';
import type { ResultGridLabels } from '../result-grid/index.js';

/** The strings CharacterGenerator itself shows (the form, uploader and grid have their own). */
export interface CharacterGeneratorLabels {
  /** Accessible name of the progress bar. @default 'Generation progress' */
  progress: string;
  /** The progress bar's text while time is left, given the seconds left. @default (seconds) => `About ${seconds} s left` */
  timeLeft: (seconds: number) => string;
  /** The progress bar's text once past the estimate. @default 'Almost done…' */
  almostDone: string;
  /** The progress bar's text before the job was accepted. @default 'Sending…' */
  submitting: string;
  /** The progress bar's text while polling rides out a network, 5xx or 429 error. @default 'Connection trouble, still trying…' */
  retrying: string;
  /** The cancel button, while a job runs. @default 'Cancel' */
  cancel: string;
  /** What the job cost. @default (credits) => `Cost: ${credits} credits` */
  creditCost: (credits: number) => string;
  /** Credits left on the account. @default (credits) => `${credits} credits left` */
  creditsRemaining: (credits: number) => string;
  /** Accessible name of the results area. @default 'Results' */
  results: string;
}

/** `labels` of CharacterGenerator: its own strings, plus one object per part it is made of. */
export interface CharacterGeneratorLabelOverrides extends Partial<CharacterGeneratorLabels> {
  /** Strings of the parameter form. @default defaultParameterFormLabels */
  form?: Partial<ParameterFormLabels> | undefined;
  /** Strings of the reference uploader inside the form. @default defaultReferenceUploaderLabels */
  reference?: Partial<ReferenceUploaderLabels> | undefined;
  /** Strings of the result grid. @default defaultResultGridLabels */
  grid?: Partial<ResultGridLabels> | undefined;
}

export const defaultCharacterGeneratorLabels: CharacterGeneratorLabels = {
  progress: 'Generation progress',
  timeLeft: (seconds) => `About ${seconds} s left`,
  almostDone: 'Almost done…',
  submitting: 'Sending…',
  retrying: 'Connection trouble, still trying…',
  cancel: 'Cancel',
  creditCost: (credits) => `Cost: ${credits} credits`,
  creditsRemaining: (credits) => `${credits} credits left`,
  results: 'Results',
};
