import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CharacterGenerator } from '../../src/components/character-generator/index.js';
import { createCharacterClient } from '../../src/core/client.js';
import { createSimulator, type SimulatorOptions } from '../../src/testing/index.js';
import { expectNoAxeViolations } from '../helpers/axe.js';
import { memoryStorage } from '../react/helpers.js';

const PROMPT = 'The same woman in a Paris café';
const REFERENCE = 'https://images.example/me.png';

function setup(options: SimulatorOptions = {}) {
  const sim = createSimulator({ durationMs: 16_000, seed: 5, ...options });
  // What reached the upstream: the bodies of every submit, recorded in front of the simulator.
  const submitted: unknown[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.method === 'POST') submitted.push(await request.clone().json());
    return sim.fetch(request);
  };
  const client = createCharacterClient({
    endpoint: 'https://sim.test/api/v1',
    fetch: recordingFetch,
    headers: { Authorization: 'Bearer pd_test_x' },
  });
  const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime.bind(vi) });
  return { sim, client, user, submitted };
}

/** Let fake time pass, flushing the polls' promises and React updates on the way. */
async function advance(ms: number, stepMs = 500) {
  for (let spent = 0; spent < ms; spent += stepMs) {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(stepMs);
    });
  }
}

async function fillAndGenerate(
  user: ReturnType<typeof userEvent.setup>,
  { prompt = PROMPT, images = 2, typing = false, promptLabel = 'Prompt', urlLabel = 'Image URL', generate = 'Generate' } = {},
) {
  const promptField = screen.getByRole('textbox', { name: promptLabel });
  const urlField = screen.getByRole('textbox', { name: urlLabel });
  if (typing) {
    await user.type(promptField, prompt);
    await user.type(urlField, REFERENCE);
    await user.tab();
  } else {
    await user.click(promptField);
    await user.paste(prompt);
    await user.click(urlField);
    await user.paste(REFERENCE);
  }
  if (images !== 1) await user.selectOptions(screen.getByRole('combobox', { name: 'Number of images' }), String(images));
  await user.click(screen.getByRole('button', { name: generate }));
}

beforeEach(() => {
  // Testing Library's async wrapper waits on a real macrotask, so fake time also follows real time.
  vi.useFakeTimers({ shouldAdvanceTime: true });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('CharacterGenerator', { timeout: 30_000 }, () => {
  describe('given a client talking to the simulator', () => {
    it('goes from typing a prompt and a reference URL to images, through placeholders and a progress bar', async () => {
      const { client, user, sim } = setup();
      const onCompleted = vi.fn();
      const { container } = render(<CharacterGenerator client={client} generationOptions={{ persist: false }} onCompleted={onCompleted} />);
      await expectNoAxeViolations(container);

      await fillAndGenerate(user, { images: 2, typing: true });

      const progress = await screen.findByRole('progressbar', { name: 'Generation progress' });
      expect(progress).toHaveAttribute('aria-valuemin', '0');
      expect(progress).toHaveAttribute('aria-valuemax', '100');
      expect(await screen.findAllByRole('img', { name: /^Generating image \d of 2$/ })).toHaveLength(2);
      expect(screen.getByRole('button', { name: 'Generate' })).toHaveAttribute('aria-disabled', 'true');
      expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
      expect(within(screen.getByRole('region', { name: 'Results' })).getByText('Generating…')).toHaveAttribute('role', 'status');

      await advance(6000);
      const midway = Number(screen.getByRole('progressbar').getAttribute('aria-valuenow'));
      expect(midway).toBeGreaterThan(10);
      expect(midway).toBeLessThan(100);
      expect(screen.getByRole('progressbar').style.getPropertyValue('--ic-progress')).not.toBe('');
      expect(screen.getByText('Cost: 5 credits · 995 credits left')).toBeInTheDocument();
      await expectNoAxeViolations(container);

      await advance(14_000);
      const images = await screen.findAllByRole('img', { name: PROMPT });
      expect(images).toHaveLength(2);
      for (const image of images) expect(image.getAttribute('src')).toMatch(/^https:\/\/sim\.test\/api\/v1\/simulator\/images\/job_/);
      expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
      expect(screen.getByRole('button', { name: 'Generate' })).not.toHaveAttribute('aria-disabled');
      expect(within(screen.getByRole('region', { name: 'Results' })).getByText('Completed')).toBeInTheDocument();
      expect(onCompleted).toHaveBeenCalledTimes(1);
      expect(sim.stats.submits).toBe(1);

      const submitted = sim.log.find((entry) => entry.method === 'POST');
      expect(submitted?.authorization).toBe('Bearer pd_test_x');
      await expectNoAxeViolations(container);
    });

    it('puts a generated image into the form as the reference with "Use as reference"', async () => {
      const { client, user } = setup();
      render(<CharacterGenerator client={client} generationOptions={{ persist: false }} />);
      await fillAndGenerate(user, { images: 2 });
      await advance(20_000);
      const second = (await screen.findAllByRole('img', { name: PROMPT }))[1]!.getAttribute('src')!;

      await user.click(within(screen.getByRole('group', { name: 'Image 2 of 2' })).getByRole('button', { name: 'Use as reference' }));
      expect(screen.getByRole('textbox', { name: 'Image URL' })).toHaveValue(second);
      expect(screen.getByRole('img', { name: 'Reference image preview' })).toHaveAttribute('src', second);
    });

    it('keeps keyboard focus in place: on "Generate" while the job runs, and on "Generate" again after "Cancel" goes away (pressed, or the job ended)', async () => {
      const { client, user } = setup();
      render(<CharacterGenerator client={client} generationOptions={{ persist: false }} />);
      await fillAndGenerate(user, { images: 1 });
      const generate = screen.getByRole('button', { name: 'Generate' });
      generate.focus();
      await user.keyboard('{Enter}');
      await advance(1000);
      expect(generate).toHaveFocus();

      // Cancel from the keyboard: the button goes, focus lands on "Generate", not on the page.
      screen.getByRole('button', { name: 'Cancel' }).focus();
      await user.keyboard('{Enter}');
      expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
      expect(generate).toHaveFocus();

      // The job ends while focus is on "Cancel": the same.
      await user.keyboard('{Enter}');
      await advance(1000);
      screen.getByRole('button', { name: 'Cancel' }).focus();
      await advance(20_000);
      expect(await screen.findByRole('img', { name: PROMPT })).toBeInTheDocument();
      expect(generate).toHaveFocus();
    });

    it('stops watching the job with "Cancel"', async () => {
      const { client, user } = setup();
      render(<CharacterGenerator client={client} generationOptions={{ persist: false }} />);
      await fillAndGenerate(user, { images: 1 });
      await user.click(await screen.findByRole('button', { name: 'Cancel' }));

      expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
      expect(within(screen.getByRole('region', { name: 'Results' })).getByRole('status')).toHaveTextContent('Canceled');
      expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
      expect(screen.getByRole('button', { name: 'Generate' })).not.toHaveAttribute('aria-disabled');
      await advance(20_000);
      expect(screen.queryByRole('img', { name: PROMPT })).not.toBeInTheDocument();
    });
  });

  describe('given only an endpoint, with no provider and no QueryClient above it', () => {
    it('sets them up itself and runs a whole generation', async () => {
      const sim = createSimulator({ durationMs: 16_000, seed: 9 });
      // A stand-in for the app's proxy: it adds the key and forwards to the upstream (the simulator).
      vi.stubGlobal('fetch', (async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(new URL(String(input instanceof Request ? input.url : input), 'https://app.test'), init);
        const headers = new Headers(request.headers);
        headers.set('Authorization', 'Bearer pd_server_side');
        return sim.fetch(new Request(request, { headers }));
      }) as typeof fetch);
      try {
        const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime.bind(vi) });
        render(<CharacterGenerator endpoint="https://app.test/api/v1" generationOptions={{ persist: false }} />);
        await fillAndGenerate(user, { images: 1 });
        await advance(20_000);
        expect(await screen.findByRole('img', { name: PROMPT })).toBeInTheDocument();
        expect(sim.stats.submits).toBe(1);
      } finally {
        vi.unstubAllGlobals();
      }
    });
  });

  describe('given it brings its own QueryClient and is unmounted while submitting (a route change)', () => {
    it('mounted again, it picks the paid job up and shows its images: no second submit', async () => {
      const { sim, client, user } = setup({ latencyMs: 2_000 });
      const storage = memoryStorage();
      const first = render(<CharacterGenerator client={client} generationOptions={{ storage }} />);
      await fillAndGenerate(user, { images: 2 });
      await advance(500);
      first.unmount();

      const onCompleted = vi.fn();
      render(<CharacterGenerator client={client} generationOptions={{ storage }} onCompleted={onCompleted} />);
      await advance(25_000);
      expect(await screen.findAllByRole('img', { name: PROMPT })).toHaveLength(2);
      expect(onCompleted).toHaveBeenCalledTimes(1);
      expect(sim.stats.jobsCreated).toBe(1);
    });
  });

  describe('given a status request fails on the way', () => {
    it('says it is still trying, then carries on to the images', async () => {
      const sim = createSimulator({ durationMs: 16_000, seed: 5 });
      let polls = 0;
      const flaky: typeof fetch = async (input, init) => {
        const request = new Request(input, init);
        if (request.method === 'GET' && /\/jobs\//.test(request.url) && ++polls === 1) {
          return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
        }
        return sim.fetch(request);
      };
      const client = createCharacterClient({ endpoint: 'https://sim.test/api/v1', fetch: flaky, headers: { Authorization: 'Bearer pd_test_x' } });
      const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime.bind(vi) });
      render(<CharacterGenerator client={client} generationOptions={{ persist: false }} />);
      await fillAndGenerate(user, { images: 1 });

      for (let waited = 0; polls < 1 && waited < 30_000; waited += 250) await advance(250, 250);
      expect(polls).toBe(1);
      await advance(250, 250);
      const progress = screen.getByRole('progressbar');
      expect(progress).toHaveTextContent('Connection trouble, still trying…');
      expect(progress).toHaveAttribute('data-retrying');

      await advance(20_000);
      expect(await screen.findByRole('img', { name: PROMPT })).toBeInTheDocument();
    });
  });

  describe('on the server', () => {
    it('renders the form and an idle grid to HTML without touching the network', () => {
      const fetchSpy = vi.fn();
      vi.stubGlobal('fetch', fetchSpy);
      try {
        const html = renderToString(<CharacterGenerator endpoint="/api/character" />);
        expect(html).toContain('Generate');
        expect(html).toContain('Generated images will appear here.');
        expect(fetchSpy).not.toHaveBeenCalled();
      } finally {
        vi.unstubAllGlobals();
      }
    });
  });

  describe('given the job fails', () => {
    it('shows the reason, and "Try again" submits the same input again', async () => {
      const { client, user, sim, submitted } = setup({ failureRate: 1 });
      const onError = vi.fn();
      const { container } = render(<CharacterGenerator client={client} generationOptions={{ persist: false }} onError={onError} />);
      await fillAndGenerate(user, { images: 1 });
      await advance(20_000);

      expect(await screen.findByText('Generation failed')).toBeInTheDocument();
      expect(onError).toHaveBeenCalledTimes(1);
      await expectNoAxeViolations(container);

      await user.click(screen.getByRole('button', { name: 'Try again' }));
      expect(await screen.findByRole('progressbar')).toBeInTheDocument();
      await advance(1000);
      expect(sim.stats.submits).toBe(2);
      expect(submitted).toHaveLength(2);
      expect(submitted[1]).toEqual(submitted[0]);
      expect(submitted[0]).toMatchObject({ prompt: PROMPT, character_reference_image: REFERENCE, numberOfImages: 1 });
    });
  });

  describe('given the upstream refuses the prompt (422)', () => {
    it('shows the message at the Prompt field, and offers no pointless "Try again"', async () => {
      const { client, user } = setup({ unsafePrompt: /forbidden/ });
      render(<CharacterGenerator client={client} generationOptions={{ persist: false }} />);
      await fillAndGenerate(user, { prompt: 'a forbidden scene', images: 1 });

      const prompt = screen.getByRole('textbox', { name: 'Prompt' });
      await vi.waitFor(() => expect(prompt).toHaveAttribute('aria-invalid', 'true'));
      expect(prompt).toHaveAccessibleDescription(expect.stringContaining('failed the safety check'));
      expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    });
  });

  describe('for translation', () => {
    it('merges labels per part: its own, the form, the uploader and the grid', async () => {
      const { client, user } = setup();
      render(
        <CharacterGenerator
          client={client}
          generationOptions={{ persist: false }}
          labels={{
            cancel: 'Abbrechen',
            progress: 'Fortschritt',
            form: { prompt: 'Beschreibung', submit: 'Erzeugen' },
            reference: { urlInput: 'Bildadresse' },
            grid: { generating: 'Wird erzeugt…' },
          }}
        />,
      );
      await fillAndGenerate(user, { images: 1, promptLabel: 'Beschreibung', urlLabel: 'Bildadresse', generate: 'Erzeugen' });
      expect(await screen.findByRole('progressbar', { name: 'Fortschritt' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Abbrechen' })).toBeInTheDocument();
      expect(await screen.findByText('Wird erzeugt…')).toBeInTheDocument();
    });

    it('labels set to undefined, its own or a part\'s, keep their defaults instead of erasing them (or throwing where they are called)', async () => {
      const { client, user } = setup();
      render(
        <CharacterGenerator
          client={client}
          generationOptions={{ persist: false }}
          labels={{ results: undefined, timeLeft: undefined, progress: undefined, form: { submit: undefined }, reference: { urlInput: undefined } }}
        />,
      );
      expect(screen.getByRole('region', { name: 'Results' })).toBeInTheDocument();
      await fillAndGenerate(user, { images: 1 });
      await advance(1000);
      expect(screen.getByRole('progressbar', { name: 'Generation progress' })).toHaveTextContent(/^About \d+ s left$/);
    });
  });
});
