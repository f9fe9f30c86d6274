import type { Meta, StoryObj } from '@storybook/react-vite';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { expect, waitFor } from 'storybook/test';
import { CharacterGenerator, createPollPolicy, PRIOR_DURATIONS_MS, RENDERING_SPEEDS, type PollPolicy } from '../src/index.js';
import { simulatorHandlers } from '../src/testing/index.js';
import referencePortrait from './assets/reference-portrait.jpg';

/**
 * The Playground: the whole `CharacterGenerator` talking to `/api/character`.
 *
 * Where that endpoint is answered depends on how Storybook runs (set by .storybook/main.ts):
 * - `npm start`: the dev server mounts `characterProxyPlugin` there, so requests go over real
 *   HTTP to the proxy, which calls PixelDojo when PIXELDOJO_API_KEY is set and its in-process
 *   simulator (a few seconds a job) when it is not. No MSW handler is registered.
 * - the static build and the stories-as-tests have no server: MSW answers the same path in
 *   the browser, with the simulator from `react-ideogram-character/testing` standing in for
 *   the proxy (no key asked), plus in-memory uploads.
 */
const ENDPOINT = '/api/character';

type ProxyMode = 'pixeldojo' | 'simulator' | 'msw';
const configuredMode: unknown = import.meta.env.STORYBOOK_CHARACTER_PROXY;
const MODE: ProxyMode = configuredMode === 'pixeldojo' || configuredMode === 'simulator' ? configuredMode : 'msw';

const PROMPT = 'The same woman as a lighthouse keeper on a stormy night, lantern in hand, oil painting';

/** The stories' portrait as an absolute URL on this page's origin (the model needs http(s)). */
const portraitUrl = () => new URL(referencePortrait, window.location.origin).href;

/**
 * The reference image of the playground: the portrait, unless STORYBOOK_REFERENCE_URL names
 * another. PixelDojo cannot fetch localhost: with a key, set it to a public image.
 */
function referenceUrl(): string {
  const configured: unknown = import.meta.env.STORYBOOK_REFERENCE_URL;
  return typeof configured === 'string' && configured ? new URL(configured, window.location.origin).href : portraitUrl();
}

/**
 * What the dev server's proxy does, done in the browser: uploads kept in memory and served back,
 * and every other request under the endpoint answered by the simulator.
 */
function inBrowserProxy(options: { durationMs: number }): RequestHandler[] {
  const uploads = new Map<string, File>();
  return [
    http.post(`${ENDPOINT}/uploads`, async ({ request }) => {
      const file = (await request.formData()).get('file');
      if (!(file instanceof File)) {
        return HttpResponse.json({ error: { code: 'invalid_input', message: 'Send one file as "file"', status: 400 } }, { status: 400 });
      }
      const name = `${crypto.randomUUID()}.${file.type.split('/')[1] ?? 'bin'}`;
      uploads.set(name, file);
      return HttpResponse.json({ url: new URL(`${ENDPOINT}/uploads/${name}`, window.location.origin).href }, { status: 201 });
    }),
    http.get(`${ENDPOINT}/uploads/:name`, ({ params }) => {
      const file = uploads.get(String(params.name));
      return file ? new HttpResponse(file, { headers: { 'content-type': file.type } }) : new HttpResponse(null, { status: 404 });
    }),
    ...simulatorHandlers({
      basePath: ENDPOINT,
      durationMs: options.durationMs,
      requireAuth: false,
      seed: 11,
      // The simulated images embed the reference (an SVG shown through <img> loads no external
      // image): an upload from the map above, or the page's own portrait; other links are not read.
      async readReference(url) {
        const { origin, pathname } = new URL(url);
        if (origin !== window.location.origin) return undefined;
        const uploaded = `${ENDPOINT}/uploads/`;
        const upload = pathname.startsWith(uploaded) ? uploads.get(pathname.slice(uploaded.length)) : undefined;
        const file = upload ?? (url === portraitUrl() ? await (await fetch(url)).blob() : undefined);
        return file ? { bytes: new Uint8Array(await file.arrayBuffer()), contentType: file.type } : undefined;
      },
    }),
  ];
}

/** The dev server's simulator runs PixelDojo's timings divided by 5 (`characterProxyPlugin`'s default speed). */
const DEV_SIMULATOR_SPEED = 5;
/** Jobs of the in-browser simulator, in ms: the static build's Playground, and the whole-run test. */
const PLAYGROUND_JOB_MS = 4000;
const TEST_JOB_MS = 1500;

/**
 * A poll policy that expects the simulator's timings, so results show as soon as a job is done
 * (the default policy expects PixelDojo's 13–23 s and would poll first after about 13 s).
 */
function pollPolicyFor(durationsMs: (speedPriors: readonly number[]) => readonly number[]): PollPolicy {
  return createPollPolicy({
    priors: Object.fromEntries(RENDERING_SPEEDS.map((speed) => [speed, durationsMs(PRIOR_DURATIONS_MS[speed])])),
  });
}
const fixed = (ms: number) => () => [ms * 0.8, ms, ms * 1.2];
const POLL_POLICY: PollPolicy | undefined =
  MODE === 'simulator'
    ? pollPolicyFor((priors) => priors.map((ms) => ms / DEV_SIMULATOR_SPEED))
    : MODE === 'msw'
      ? pollPolicyFor(fixed(PLAYGROUND_JOB_MS))
      : undefined;

const MODE_NOTES: Record<ProxyMode, { title: string; detail: string }> = {
  simulator: {
    title: 'Running on the simulator',
    detail:
      'No PIXELDOJO_API_KEY is set, so the dev server’s proxy at /api/character answers with simulated jobs (a few seconds each) and images. No credits are spent. Set the key and restart npm start to use PixelDojo.',
  },
  pixeldojo: {
    title: 'Connected to PixelDojo',
    detail:
      'The dev server’s proxy at /api/character adds your PIXELDOJO_API_KEY and forwards to PixelDojo: each job spends credits (3–7). PixelDojo must be able to fetch the reference image, so paste a public https URL (or set STORYBOOK_REFERENCE_URL).',
  },
  msw: {
    title: 'Running on the simulator, in your browser',
    detail:
      'There is no server here: Mock Service Worker answers /api/character with the simulator from react-ideogram-character/testing. Run npm start locally to go through the real proxy.',
  },
};

function ModeNote() {
  const note = MODE_NOTES[MODE];
  return (
    <aside
      aria-label="Where requests go"
      data-proxy-mode={MODE}
      style={{
        marginBlockEnd: 'var(--ic-space-4)',
        padding: 'var(--ic-space-3) var(--ic-space-4)',
        borderRadius: 'var(--ic-radius)',
        border: '1px solid var(--ic-border-strong)',
        background: 'var(--ic-muted-bg)',
        color: 'var(--ic-fg)',
        fontFamily: 'var(--ic-font-family)',
        fontSize: 'var(--ic-font-size-sm)',
        lineHeight: 'var(--ic-line-height)',
      }}
    >
      <strong>{note.title}.</strong> {note.detail}
    </aside>
  );
}

const meta = {
  title: 'Playground',
  component: CharacterGenerator,
  tags: ['!autodocs'],
  parameters: {
    layout: 'padded',
    docs: { description: { component: 'The whole generator against `/api/character`; the note above it says where requests go.' } },
  },
  args: { endpoint: ENDPOINT },
  argTypes: {
    endpoint: { control: 'text' },
    client: { control: false },
    value: { control: false },
    defaultValue: { control: false },
    generationOptions: { control: false },
    formProps: { control: false },
    gridProps: { control: false },
  },
  render: (args) => (
    <>
      <ModeNote />
      <CharacterGenerator {...args} defaultValue={{ prompt: PROMPT, character_reference_image: referenceUrl(), ...args.defaultValue }} />
    </>
  ),
} satisfies Meta<typeof CharacterGenerator>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * Click Generate: the reference portrait and a prompt are already filled in. Under `npm start`
 * this goes over real HTTP to the dev server's proxy; in the static build, to MSW.
 */
export const Playground: Story = {
  parameters: {
    // Static build and tests: the simulator in the browser, a few seconds a job.
    msw: { handlers: MODE === 'msw' ? inBrowserProxy({ durationMs: PLAYGROUND_JOB_MS }) : [] },
  },
  args: {
    generationOptions: {
      ...(POLL_POLICY ? { pollPolicy: POLL_POLICY } : {}),
      // A job kept in sessionStorage would outlive the in-browser simulator on reload.
      ...(MODE === 'msw' ? { persist: false } : {}),
    },
  },
  play: async ({ canvas }) => {
    await expect(canvas.getByRole('complementary', { name: 'Where requests go' })).toHaveTextContent(MODE_NOTES[MODE].title);
    await expect(canvas.getByRole('textbox', { name: 'Prompt' })).toHaveValue(PROMPT);
    await expect(canvas.getByRole('button', { name: 'Generate' })).toBeEnabled();
  },
};

/**
 * The same generator, always on the in-browser simulator (fast jobs), generating on its own:
 * a whole run from Generate to images, also run as a test.
 */
export const SimulatedRun: Story = {
  name: 'A whole run (in-browser simulator)',
  parameters: { msw: { handlers: inBrowserProxy({ durationMs: TEST_JOB_MS }) } },
  args: { generationOptions: { persist: false, pollPolicy: pollPolicyFor(fixed(TEST_JOB_MS)) } },
  // The portrait, whatever STORYBOOK_REFERENCE_URL says: the in-browser simulator embeds only same-origin images.
  render: (args) => <CharacterGenerator {...args} defaultValue={{ prompt: PROMPT, character_reference_image: portraitUrl(), numberOfImages: 2 }} />,
  play: async ({ canvas, canvasElement, userEvent }) => {
    await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
    const results = canvas.getByRole('region', { name: 'Results' });
    await waitFor(
      async () => {
        const images = [...results.querySelectorAll('img')].filter((img) => img.alt === PROMPT);
        await expect(images).toHaveLength(2);
        for (const image of images) await expect(image.complete && image.naturalWidth > 0).toBe(true);
        // Each shows the person: the portrait is embedded (an <img> would not load it by link).
        const portrait = new Uint8Array(await (await fetch(portraitUrl())).arrayBuffer());
        for (const image of images) {
          const svg = await (await fetch(image.src)).text();
          await expect(svg).toContain(`href="data:image/jpeg;base64,${btoa(String.fromCharCode(...portrait))}"`);
        }
      },
      {
        timeout: 10_000,
        onTimeout: () => new Error(`No images after 10 s; the generator is "${canvasElement.querySelector('[data-slot="character-generator"]')?.getAttribute('data-state')}"`),
      },
    );
    await expect(canvas.getByRole('button', { name: 'Generate' })).toBeEnabled();
  },
};
