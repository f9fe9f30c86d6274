import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor, within } from 'storybook/test';
import { CharacterGenerator } from '../src/components/character-generator/index.js';
import { createCharacterClient, createPollPolicy, RENDERING_SPEEDS } from '../src/core/index.js';
import { simulatorHandlers, type SimulatorHandlersOptions } from '../src/testing/index.js';
import { PORTRAIT, readPortrait } from './portrait.js';

const ENDPOINT = '/api/character';
const PROMPT = 'The same woman as a lighthouse keeper on a stormy night, lantern in hand';

/**
 * Every story has its own simulator behind MSW at `/api/character` (the proxy contract's paths),
 * and a client whose poll policy expects the simulator's short jobs. In an app the proxy adds the
 * key; here the client sends the Bearer token the simulator asks for.
 */
function simulated(jobMs: number, options: SimulatorHandlersOptions = {}) {
  const handlers = simulatorHandlers({ basePath: ENDPOINT, durationMs: jobMs, seed: 21, readReference: readPortrait, ...options });
  const client = createCharacterClient({
    endpoint: ENDPOINT,
    headers: { Authorization: 'Bearer storybook-simulator' },
    pollPolicy: createPollPolicy({
      priors: Object.fromEntries(RENDERING_SPEEDS.map((speed) => [speed, [jobMs * 0.8, jobMs, jobMs * 1.2]])),
    }),
  });
  return { parameters: { msw: { handlers } }, args: { client } };
}

const meta = {
  title: 'Components/CharacterGenerator',
  component: CharacterGenerator,
  args: {
    defaultValue: { prompt: PROMPT, character_reference_image: PORTRAIT, numberOfImages: 2, aspect_ratio: '3:4' },
    // A job kept in sessionStorage would outlive each story's in-browser simulator.
    generationOptions: { persist: false },
    formProps: { referenceProps: { allowUpload: false } },
  },
  argTypes: {
    client: { control: false },
    value: { control: false },
    generationOptions: { control: false },
    formProps: { control: false },
    gridProps: { control: false },
  },
  parameters: {
    layout: 'padded',
    docs: {
      description: {
        component:
          'The whole flow wired to `useCharacterGeneration`: the form with the reference uploader, an estimated progress bar with Cancel, the credit cost and credits left, and the result grid. In an app, `<CharacterGenerator endpoint="/api/character" />` is all it takes. Here MSW answers `/api/character` with the simulator from `react-ideogram-character/testing`.',
      },
    },
  },
} satisfies Meta<typeof CharacterGenerator>;

export default meta;
type Story = StoryObj<typeof meta>;

const results = (canvasElement: HTMLElement) => within(within(canvasElement).getByRole('region', { name: 'Results' }));

/** Ready: the portrait and a prompt are filled in; nothing generated yet. */
export const Idle: Story = {
  ...simulated(3000),
};

/** A job is running: placeholders in its aspect ratio, the progress bar, Cancel and the credits. */
export const Generating: Story = {
  ...simulated(60_000),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    await expect(await area.findByRole('progressbar', { name: 'Generation progress' })).toBeVisible();
    await expect(area.getAllByRole('img', { name: /^Generating image \d of 2$/ })).toHaveLength(2);
    await expect(await area.findByText(/Cost: 5 credits/)).toBeVisible();
  },
};

/** The job finished: the images, with the time left before their URLs expire. */
export const Completed: Story = {
  ...simulated(1500),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    await waitFor(
      async () => {
        const images = area.queryAllByRole('img', { name: PROMPT }) as HTMLImageElement[];
        await expect(images).toHaveLength(2);
        for (const image of images) await expect(image.complete && image.naturalWidth > 0).toBe(true);
      },
      { timeout: 15_000 },
    );
    await expect(area.getByText(/^Expires in /)).toBeVisible();
    // Each shows the portrait, embedded (a linked one would be Chromium's broken-image mark).
    const [first] = area.getAllByRole('img', { name: PROMPT }) as HTMLImageElement[];
    await expect(await (await fetch(first!.src)).text()).toContain('href="data:image/jpeg;base64,');
  },
};

/** The images expire in under five minutes: the badge turns urgent. */
export const ExpiringSoon: Story = {
  ...simulated(1500, { expiresInMs: 4 * 60_000 + 30_000 }),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const badge = await results(canvasElement).findByText(/^Expires in 4:/, undefined, { timeout: 15_000 });
    await expect(badge).toHaveAttribute('data-expiring-soon');
  },
};

/** The image URLs expired: the cards say so instead of showing broken images. */
export const Expired: Story = {
  ...simulated(1000, { expiresInMs: 2000 }),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    await waitFor(() => expect(area.getAllByText('Expired').length).toBeGreaterThan(0), { timeout: 15_000 });
    await expect(area.queryAllByRole('img', { name: PROMPT })).toHaveLength(0);
  },
};

/** The job failed upstream: the reason and "Try again". */
export const Failed: Story = {
  ...simulated(1000, { failureRate: 1 }),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    await expect(await area.findByText('Generation failed', undefined, { timeout: 15_000 })).toBeVisible();
    await expect(area.getByRole('button', { name: 'Try again' })).toBeVisible();
  },
};

/** The upstream refused the prompt (422): the message goes back to the Prompt field. */
export const PromptRefused: Story = {
  ...simulated(1000, { unsafePrompt: /lighthouse/ }),
  play: async ({ canvasElement, userEvent }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
    const prompt = canvas.getByRole('textbox', { name: 'Prompt' });
    await waitFor(() => expect(prompt).toHaveAttribute('aria-invalid', 'true'), { timeout: 10_000 });
    await expect(prompt).toHaveAccessibleDescription(expect.stringContaining('safety check'));
  },
};

/** A slow job (45 s): the estimated progress bar runs; Cancel stops watching it (the credits are already spent). */
export const SlowJob: Story = {
  ...simulated(45_000),
  play: async ({ canvasElement, userEvent }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    await expect(await area.findByRole('progressbar', { name: 'Generation progress' })).toBeVisible();
    const root = canvasElement.querySelector('[data-slot="character-generator"]')!;
    // The job was accepted (and paid for) before it is canceled: that is the slow-job case.
    await waitFor(() => expect(root.getAttribute('data-state')).toMatch(/^(pending|processing)$/), { timeout: 5000 });
    await userEvent.click(canvas.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(root).toHaveAttribute('data-state', 'canceled'), { timeout: 5000 });
    await expect(canvas.getByRole('button', { name: 'Generate' })).toBeEnabled();
  },
};

/** Every request is rate limited (429 with Retry-After): after one retry the submit gives up and says why. */
export const RateLimited: Story = {
  ...simulated(1000, { rateLimitRate: 1 }),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    await expect(await area.findByText('Generation failed', undefined, { timeout: 15_000 })).toBeVisible();
    // The reason is shown and announced (the live region holds it too).
    await expect(area.getAllByText(/Too many requests/)[0]).toBeVisible();
  },
};

/** The account has no credits left (402): the reason shows, and no "Try again" that would fail the same way. */
export const InsufficientCredits: Story = {
  ...simulated(1000, { credits: 0 }),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    const reasons = await area.findAllByText(/Not enough credits/, undefined, { timeout: 10_000 });
    await expect(reasons[0]).toBeVisible();
    await expect(area.queryByRole('button', { name: 'Try again' })).toBeNull();
  },
};

/** A flaky network (a third of the API requests dropped, seeded): polling rides it out and the images arrive. */
export const NetworkFlake: Story = {
  ...simulated(2000, { dropRate: 0.35, seed: 5 }),
  play: async ({ canvasElement, userEvent }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Generate' }));
    const area = results(canvasElement);
    await waitFor(() => expect(area.queryAllByRole('img', { name: PROMPT })).toHaveLength(2), { timeout: 30_000 });
  },
};
