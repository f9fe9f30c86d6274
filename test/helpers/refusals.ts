import { expect } from 'vitest';
import { page, userEvent, type Locator } from 'vitest/browser';

/**
 * The two longest default refusals of the reference uploader, one after the other: a file that
 * only claims to be a JPEG (given to `fileInput`), then a typed link that is no URL. Checks
 * each error line, then waits one frame so a layout change would be seen.
 */
export async function refuseAFileThenALink(fileInput: Locator): Promise<void> {
  await fileInput.upload(new File(['%PDF-1.7 not an image'], 'photo.jpg', { type: 'image/jpeg' }));
  await expect.element(page.getByRole('alert')).toHaveTextContent("This file isn't a JPEG, PNG or WebP image.");
  await page.getByRole('textbox', { name: 'Image URL' }).fill('photo dot jpg');
  await userEvent.keyboard('{Enter}');
  await expect.element(page.getByRole('alert')).toHaveTextContent('Enter a link that starts with http:// or https://.');
  await new Promise((resolve) => requestAnimationFrame(resolve));
}
