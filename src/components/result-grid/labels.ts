/** Every string ResultGrid shows or announces; pass any subset as `labels` to translate. */
export interface ResultGridLabels {
  /** Shown while nothing has been generated yet. @default 'Generated images will appear here.' */
  empty: string;
  /** Accessible name of the list of images. @default 'Generated images' */
  list: string;
  /** Announced while a job runs. @default 'Generating…' */
  generating: string;
  /** Announced when the images arrive. @default 'Completed' */
  completed: string;
  /** Announced when the user canceled the job. @default 'Canceled' */
  canceled: string;
  /** Heading of the failed state, and the start of its announcement. @default 'Generation failed' */
  failed: string;
  /** Shown when the error has no message of its own. @default 'Something went wrong.' */
  unknownError: string;
  /** Says the images are gone. @default 'Expired' */
  expired: string;
  /** Explains the expired state. @default 'Generated images are kept for a limited time only. Generate again to get new ones.' */
  expiredDescription: string;
  /** Takes the place of an image that failed to load. @default 'Image unavailable' */
  unavailable: string;
  /** Explains an image that failed to load. @default 'It could not be loaded, perhaps because it expired. Generate again to get a new one.' */
  unavailableDescription: string;
  /** The expiry badge, given the remaining time as `m:ss` (or `h:mm:ss`). @default (time) => `Expires in ${time}` */
  expiresIn: (time: string) => string;
  /** Accessible name of a placeholder. @default (n, total) => `Generating image ${n} of ${total}` */
  placeholder: (n: number, total: number) => string;
  /** Alt text of an image when there is no prompt. @default (n, total) => `Generated image ${n} of ${total}` */
  imageAlt: (n: number, total: number) => string;
  /** Accessible name of the button that opens an image larger. @default (n, total) => `View image ${n} of ${total} larger` */
  openImage: (n: number, total: number) => string;
  /** Accessible name of one image's group of actions, and of the dialog. @default (n, total) => `Image ${n} of ${total}` */
  imageGroup: (n: number, total: number) => string;
  /** The download link. @default 'Download' */
  download: string;
  /** The copy-link button. @default 'Copy link' */
  copyLink: string;
  /** Shown on the copy-link button and announced after a copy. @default 'Link copied' */
  linkCopied: string;
  /** Announced when the clipboard refused. @default 'Could not copy the link' */
  copyFailed: string;
  /** The use-as-reference button. @default 'Use as reference' */
  useAsReference: string;
  /** Announced after use-as-reference. @default 'Image set as the reference' */
  usedAsReference: string;
  /** The retry button of the failed state. @default 'Try again' */
  retry: string;
  /** The dialog's close button. @default 'Close' */
  close: string;
}

export const defaultResultGridLabels: ResultGridLabels = {
  empty: 'Generated images will appear here.',
  list: 'Generated images',
  generating: 'Generating…',
  completed: 'Completed',
  canceled: 'Canceled',
  failed: 'Generation failed',
  unknownError: 'Something went wrong.',
  expired: 'Expired',
  expiredDescription: 'Generated images are kept for a limited time only. Generate again to get new ones.',
  unavailable: 'Image unavailable',
  unavailableDescription: 'It could not be loaded, perhaps because it expired. Generate again to get a new one.',
  expiresIn: (time) => `Expires in ${time}`,
  placeholder: (n, total) => `Generating image ${n} of ${total}`,
  imageAlt: (n, total) => `Generated image ${n} of ${total}`,
  openImage: (n, total) => `View image ${n} of ${total} larger`,
  imageGroup: (n, total) => `Image ${n} of ${total}`,
  download: 'Download',
  copyLink: 'Copy link',
  linkCopied: 'Link copied',
  copyFailed: 'Could not copy the link',
  useAsReference: 'Use as reference',
  usedAsReference: 'Image set as the reference',
  retry: 'Try again',
  close: 'Close',
};
