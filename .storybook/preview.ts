import type { Preview } from '@storybook/react-vite';
import { isCommonAssetRequest } from 'msw';
import { mswLoader } from 'msw-storybook-addon/csf3';
import '../src/styles/styles.css';

/** Storybook's own module and asset requests, which never need a handler. */
const STORYBOOK_REQUEST = /\.eot$|\.mdx$|sb-common-assets|__webpack_hmr|iframe\.html|sb-vite|@vite|@react-refresh|\/virtual:|\.stories\.|\/stories\/assets\//;

/**
 * The addon's default worker set-up, except that under `npm start` the requests to the dev
 * server's real proxy (`/api/…`) are expected to pass through MSW, so they are not warned about.
 */
async function startWorker() {
  const { setupWorker } = await import('msw/browser');
  const worker = setupWorker();
  const mode: unknown = import.meta.env.STORYBOOK_CHARACTER_PROXY;
  const devServerProxy = mode === 'simulator' || mode === 'pixeldojo';
  await worker.start({
    quiet: true,
    onUnhandledRequest(request, print) {
      if (isCommonAssetRequest(request) || STORYBOOK_REQUEST.test(request.url)) return;
      if (devServerProxy && new URL(request.url).pathname.startsWith('/api/')) return;
      print.warning();
    },
  });
  return worker;
}

const preview: Preview = {
  tags: ['autodocs'],
  loaders: [mswLoader(startWorker)],
  parameters: {
    // An accessibility violation fails the story when stories run as tests.
    a11y: { test: 'error' },
    controls: { expanded: true },
    layout: 'padded',
  },
};

export default preview;
