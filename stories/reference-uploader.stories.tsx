import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { ReferenceUploader } from '../src/components/reference-uploader/index.js';
import { CharacterApiError } from '../src/core/errors.js';
import type { CharacterClient } from '../src/core/types.js';
import { PORTRAIT } from './portrait.js';


/**
 * A client for stories: its upload reports progress like a slow network and then gives the
 * file back as the portrait's URL (or, with `hold`, stays in flight until cancelled).
 */
function storyClient({ hold = false, progress = 0.4 } = {}): CharacterClient {
  return {
    endpoint: '/api/character',
    uploadReference(_file: Blob, options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}) {
      return new Promise((resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(new CharacterApiError('aborted', 'The upload was cancelled')));
        options.onProgress?.(progress);
        if (!hold) setTimeout(() => (options.onProgress?.(1), resolve({ url: PORTRAIT })), 600);
      });
    },
  } as unknown as CharacterClient;
}

/** A real image file, encoded by the browser. */
async function imageFile(width: number, height: number): Promise<File> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#6366f1';
  context.fillRect(0, 0, width, height);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new File([blob], 'photo.png', { type: 'image/png' });
}

async function chooseFile(canvasElement: HTMLElement, file: File) {
  const input = within(canvasElement).getByLabelText('Reference image') as HTMLInputElement;
  const transfer = new DataTransfer();
  transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

const meta = {
  title: 'Components/ReferenceUploader',
  component: ReferenceUploader,
  args: {
    client: storyClient(),
    onValueChange: fn(),
  },
  parameters: {
    docs: {
      description: {
        component:
          'The character reference: drop a photo, click (or Enter/Space) to browse, paste an image, or paste/type an image URL. Files are checked by their bytes (JPEG, PNG, WebP), size (≤ 10 MB) and short edge (≥ 256 px) before anything is sent; larger than 2048 px is downscaled in the browser. The value is the URL that becomes `character_reference_image`. Parts: `ReferenceUploader.Root`, `.Frame`, `.Dropzone`, `.FileInput`, `.UrlLabel`, `.UrlInput`, `.Preview`, `.RemoveButton`, `.Progress`, `.CancelButton`, `.Messages`, `.Error`, `.Notice`, `.Status`; headless: `useReferenceUpload`. `.Frame` and `.Messages` keep their room whatever happens, so what follows them never moves.',
      },
    },
  },
  decorators: [(Story) => <div style={{ maxWidth: '28rem' }}>{Story()}</div>],
} satisfies Meta<typeof ReferenceUploader>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Nothing chosen yet: drop zone, hidden file input and the URL field. */
export const Empty: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByLabelText('Reference image')).toHaveAttribute('type', 'file');
    await expect(canvas.getByRole('textbox', { name: 'Image URL' })).toBeInTheDocument();
  },
};

/** An image is chosen: the preview and "Remove reference image". */
export const WithPreview: Story = {
  args: { defaultValue: PORTRAIT },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('img', { name: 'Reference image preview' })).toBeInTheDocument();
    await expect(canvas.getByRole('button', { name: 'Remove reference image' })).toBeInTheDocument();
  },
};

/** A file is uploading: the progress bar (here held at 40 %) and "Cancel upload". */
export const Uploading: Story = {
  args: { client: storyClient({ hold: true, progress: 0.4 }) },
  play: async ({ canvasElement }) => {
    await chooseFile(canvasElement, await imageFile(600, 600));
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute('aria-valuenow', '40'));
    await expect(canvas.getByRole('button', { name: 'Cancel upload' })).toBeInTheDocument();
  },
};

/** A file was refused (too small): the message says why, and the previous image stays. */
export const RefusedFile: Story = {
  args: { defaultValue: PORTRAIT },
  play: async ({ canvasElement }) => {
    await chooseFile(canvasElement, await imageFile(120, 90));
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByRole('alert')).toHaveTextContent('This image is only 120 × 90 pixels.'));
    await expect(canvas.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', PORTRAIT);
  },
};

/** No upload storage (`allowUpload={false}`): only an image link works, and the uploader says so. */
export const UrlMode: Story = {
  args: { allowUpload: false, defaultValue: PORTRAIT },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.queryByLabelText('Reference image')).toBeNull();
    await expect(canvas.getByText("Uploading files isn't available here. Paste a link to an image instead.")).toBeInTheDocument();
    await expect(canvas.getByRole('textbox', { name: 'Image URL' })).toHaveValue(PORTRAIT);
  },
};

/** Disabled: shown, but nothing can be changed. */
export const Disabled: Story = {
  args: { disabled: true, defaultValue: PORTRAIT },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('textbox', { name: 'Image URL' })).toBeDisabled();
    await expect(canvas.getByRole('button', { name: 'Remove reference image' })).toBeDisabled();
  },
};

/**
 * A custom layout from the parts: the link field first, then `ReferenceUploader.Messages` (room
 * for the error line, always there) and `ReferenceUploader.Frame` with parts of your choosing
 * (the preview's place is kept, image or not). The app's own button after them stays put
 * through a refused link and an image appearing. The label's own text is the field's name.
 */
export const CustomLayout: Story = {
  render: (args) => (
    <>
      <ReferenceUploader.Root {...args}>
        {/* A label with text of its own names the field too (label in name). */}
        <ReferenceUploader.UrlLabel>Link to a photo of your character</ReferenceUploader.UrlLabel>
        <ReferenceUploader.UrlInput />
        <ReferenceUploader.Messages />
        <ReferenceUploader.Frame>
          <ReferenceUploader.Preview />
          <ReferenceUploader.Progress />
          <ReferenceUploader.RemoveButton />
          <ReferenceUploader.Dropzone />
          <ReferenceUploader.Notice />
        </ReferenceUploader.Frame>
        <ReferenceUploader.FileInput />
      </ReferenceUploader.Root>
      <button type="button" style={{ marginTop: '0.5rem' }}>
        Next
      </button>
    </>
  ),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const next = canvas.getByRole('button', { name: 'Next' });
    const top = next.getBoundingClientRect().top;
    const field = canvas.getByRole('textbox', { name: 'Link to a photo of your character' });
    await userEvent.type(field, 'photo dot jpg{Enter}');
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Enter a link that starts with http:// or https://.');
    await expect(canvasElement.querySelector('[data-slot="reference-uploader-messages"]')).toContainElement(canvas.getByRole('alert'));
    await expect(next.getBoundingClientRect().top).toBe(top);
    await userEvent.clear(field);
    await userEvent.type(field, `${PORTRAIT}{Enter}`);
    const preview = await canvas.findByRole('img', { name: 'Reference image preview' });
    await waitFor(() => expect((preview as HTMLImageElement).naturalWidth).toBeGreaterThan(0));
    await expect(next.getBoundingClientRect().top).toBe(top);
  },
};
