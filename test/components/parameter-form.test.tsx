import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { CharacterApiError } from '../../src/core/errors.js';
import { characterInputSchema, MAX_SEED } from '../../src/core/schemas.js';
import { ParameterForm, type ParameterFormValue } from '../../src/components/parameter-form/index.js';
import { expectNoAxeViolations } from '../helpers/axe.js';

const REFERENCE = 'https://images.example/me.png';

// Role queries over 90 options and radios are slow in jsdom on a shared 2-core machine.
describe('ParameterForm', { timeout: 20_000 }, () => {
  describe('given the ready form', () => {
    it('has every field with its exact label, a reference uploader and "Generate", with no axe violations', async () => {
      const { container } = render(<ParameterForm referenceProps={{ allowUpload: false }} />);
      expect(screen.getByRole('textbox', { name: 'Prompt' }).tagName).toBe('TEXTAREA');
      expect(screen.getByRole('combobox', { name: 'Rendering speed' })).toHaveValue('Default');
      expect(screen.getByRole('combobox', { name: 'Style' })).toHaveValue('Auto');
      expect(screen.getByRole('combobox', { name: 'Magic prompt' })).toHaveValue('Auto');
      const ratios = screen.getByRole('radiogroup', { name: 'Aspect ratio' });
      expect(within(ratios).getAllByRole('radio')).toHaveLength(15);
      expect(within(ratios).getByRole('radio', { name: '1:1' })).toBeChecked();
      expect(screen.getByRole('combobox', { name: 'Resolution' })).toHaveValue('None');
      expect(screen.getByRole('spinbutton', { name: 'Seed' })).toHaveValue(null);
      expect(screen.getByRole('button', { name: 'Randomise seed' })).toBeInTheDocument();
      expect(screen.getByRole('combobox', { name: 'Number of images' })).toHaveValue('1');
      expect(within(screen.getByRole('combobox', { name: 'Number of images' })).getAllByRole('option')).toHaveLength(8);
      expect(screen.getByRole('group', { name: 'Character reference' })).toBeInTheDocument();
      expect(screen.getByRole('textbox', { name: 'Image URL' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Generate' })).toBeEnabled();
      await expectNoAxeViolations(container);
    });

    it('draws each aspect ratio as a box with its proportions', () => {
      render(<ParameterForm showReference={false} />);
      const shape = (ratio: string) =>
        screen.getByRole('radio', { name: ratio }).parentElement!.querySelector<HTMLElement>('[data-slot="parameter-form-ratio-shape"]')!;
      expect(shape('16:9').style.getPropertyValue('--ic-ratio-width')).toBe('28px');
      expect(shape('16:9').style.getPropertyValue('--ic-ratio-height')).toBe('16px');
      expect(shape('1:3').style.getPropertyValue('--ic-ratio-width')).toBe('9px');
      expect(shape('1:3').style.getPropertyValue('--ic-ratio-height')).toBe('28px');
    });

    it('counts the prompt characters', async () => {
      const user = userEvent.setup();
      render(<ParameterForm showReference={false} />);
      const prompt = screen.getByRole('textbox', { name: 'Prompt' });
      expect(prompt).toHaveAccessibleDescription('0 characters');
      await user.type(prompt, 'hello');
      expect(prompt).toHaveAccessibleDescription('5 characters');
    });
  });

  describe('when submitted with missing values', () => {
    it('shows each error inline, links it with aria-describedby and aria-invalid, focuses the first invalid field, and does not submit', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      const { container } = render(<ParameterForm referenceProps={{ allowUpload: false }} onSubmit={onSubmit} />);
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      expect(onSubmit).not.toHaveBeenCalled();
      const url = screen.getByRole('textbox', { name: 'Image URL' });
      expect(url).toHaveAttribute('aria-invalid', 'true');
      expect(url).toHaveAccessibleDescription('Add a reference image: upload a photo or paste a link.');
      expect(url).toHaveFocus();
      const prompt = screen.getByRole('textbox', { name: 'Prompt' });
      expect(prompt).toHaveAttribute('aria-invalid', 'true');
      expect(prompt).toHaveAccessibleDescription('0 characters Enter a prompt');
      expect(container.querySelector('[data-slot="parameter-form"]')).toHaveAttribute('data-state', 'invalid');
      await expectNoAxeViolations(container);

      // Fixing a field clears its error at once.
      await user.type(prompt, 'on a beach');
      expect(prompt).not.toHaveAttribute('aria-invalid');
    });

    it('focuses the drop zone first when uploads are possible', async () => {
      const user = userEvent.setup();
      const client = { endpoint: '/api', uploadReference: () => new Promise(() => {}) } as never;
      const { container } = render(<ParameterForm client={client} />);
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      const zone = screen.getByRole('button', { name: /drop a photo here/i });
      expect(zone).toHaveFocus();
      expect(zone).toHaveAccessibleDescription(/Add a reference image: upload a photo or paste a link\./);
      await expectNoAxeViolations(container);
    });

    it('refuses a seed that is not a whole number', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      render(<ParameterForm showReference={false} defaultValue={{ character_reference_image: REFERENCE, prompt: 'x' }} onSubmit={onSubmit} />);
      const seed = screen.getByRole('spinbutton', { name: 'Seed' });
      await user.type(seed, '1.5');
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      expect(onSubmit).not.toHaveBeenCalled();
      expect(seed).toHaveFocus();
      expect(seed).toHaveAccessibleDescription(/Enter a whole number for the seed/);
    });
  });

  describe('when submitted with valid values', () => {
    it('calls onSubmit with a clean, upstream-valid input: no empty seed, aspect ratio without resolution', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      render(<ParameterForm referenceProps={{ allowUpload: false }} onSubmit={onSubmit} />);
      await user.type(screen.getByRole('textbox', { name: 'Image URL' }), `${REFERENCE}{Enter}`);
      await user.type(screen.getByRole('textbox', { name: 'Prompt' }), '  the same person in a rainy Tokyo street  ');
      await user.click(screen.getByRole('radio', { name: '16:9' }));
      await user.selectOptions(screen.getByRole('combobox', { name: 'Number of images' }), '4');
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      expect(onSubmit).toHaveBeenCalledTimes(1);
      const input = onSubmit.mock.calls[0]![0];
      expect(input).toEqual({
        prompt: 'the same person in a rainy Tokyo street',
        character_reference_image: REFERENCE,
        rendering_speed: 'Default',
        style_type: 'Auto',
        magic_prompt_option: 'Auto',
        aspect_ratio: '16:9',
        numberOfImages: 4,
      });
      expect(characterInputSchema.safeParse(input).success).toBe(true);
    });

    it('can be filled and submitted with the keyboard alone', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      render(<ParameterForm showReference={false} defaultValue={{ character_reference_image: REFERENCE }} onSubmit={onSubmit} />);
      await user.tab();
      expect(screen.getByRole('textbox', { name: 'Prompt' })).toHaveFocus();
      await user.keyboard('portrait in the snow');
      await user.tab(); // Rendering speed
      await user.tab(); // Style
      await user.tab(); // Magic prompt
      await user.tab(); // Aspect ratio (the checked radio)
      expect(screen.getByRole('radio', { name: '1:1' })).toHaveFocus();
      await user.keyboard('{ArrowRight}');
      expect(screen.getByRole('radio', { name: '5:4' })).toBeChecked();
      await user.tab(); // Resolution
      await user.tab(); // Seed
      await user.keyboard('1234');
      await user.tab(); // Randomise seed
      await user.tab(); // Number of images
      await user.tab(); // Generate
      expect(screen.getByRole('button', { name: 'Generate' })).toHaveFocus();
      await user.keyboard('{Enter}');
      expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ prompt: 'portrait in the snow', aspect_ratio: '5:4', seed: 1234 }));
    });
  });

  describe('resolution and aspect ratio', () => {
    it('choosing a resolution disables "Aspect ratio", says why (aria-describedby), and sends the resolution only', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      const { container } = render(
        <ParameterForm showReference={false} defaultValue={{ character_reference_image: REFERENCE, prompt: 'a' }} onSubmit={onSubmit} />,
      );
      await user.selectOptions(screen.getByRole('combobox', { name: 'Resolution' }), '1024x1024');
      const group = screen.getByRole('radiogroup', { name: 'Aspect ratio' });
      expect(group).toBeDisabled();
      for (const radio of within(group).getAllByRole('radio')) expect(radio).toBeDisabled();
      expect(group).toHaveAccessibleDescription(
        'The resolution 1024x1024 sets the shape. Choose "None" as the resolution to pick an aspect ratio.',
      );
      await expectNoAxeViolations(container);
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      expect(onSubmit.mock.calls[0]![0]).toMatchObject({ resolution: '1024x1024' });
      expect(onSubmit.mock.calls[0]![0]).not.toHaveProperty('aspect_ratio');

      await user.selectOptions(screen.getByRole('combobox', { name: 'Resolution' }), 'None');
      expect(group).toBeEnabled();
      expect(group).not.toHaveAccessibleDescription(/sets the shape/);
    });
  });

  describe('seed', () => {
    it('"Randomise seed" fills a whole number in range; clearing it means random (no seed sent)', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      render(<ParameterForm showReference={false} defaultValue={{ character_reference_image: REFERENCE, prompt: 'a' }} onSubmit={onSubmit} />);
      const seed = screen.getByRole('spinbutton', { name: 'Seed' });
      expect(seed).toHaveAccessibleDescription('Leave empty for a random seed.');
      await user.click(screen.getByRole('button', { name: 'Randomise seed' }));
      const chosen = Number((seed as HTMLInputElement).value);
      expect(Number.isInteger(chosen) && chosen >= 0 && chosen <= MAX_SEED).toBe(true);
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      expect(onSubmit.mock.calls[0]![0].seed).toBe(chosen);
      await user.clear(seed);
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      expect(onSubmit.mock.calls[1]![0]).not.toHaveProperty('seed');
    });
  });

  describe('given field errors from a 422 answer', () => {
    it('shows them on their fields, focuses the first, keeps unknown ones in an alert, and clears a field’s error when it changes', async () => {
      const user = userEvent.setup();
      const error = new CharacterApiError('invalid_input', 'Invalid input', {
        status: 422,
        fieldErrors: { prompt: ['The prompt failed the safety check'], _form: ['Please review the highlighted fields'] },
      });
      const { container } = render(
        <ParameterForm showReference={false} defaultValue={{ character_reference_image: REFERENCE, prompt: 'bad words' }} fieldErrors={error.fieldErrors} />,
      );
      const prompt = screen.getByRole('textbox', { name: 'Prompt' });
      expect(prompt).toHaveAttribute('aria-invalid', 'true');
      expect(prompt).toHaveAccessibleDescription(/The prompt failed the safety check/);
      expect(prompt).toHaveFocus();
      expect(screen.getByRole('alert')).toHaveTextContent('Please review the highlighted fields');
      // The prompt's own error is at the prompt, not repeated in the alert.
      expect(screen.getByRole('alert')).not.toHaveTextContent('safety check');
      await expectNoAxeViolations(container);
      await user.type(prompt, '!');
      expect(prompt).not.toHaveAttribute('aria-invalid');
      expect(screen.queryByText('The prompt failed the safety check')).toBeNull();
    });

    it('shows an error for the reference image in the alert when the form leaves the uploader out', () => {
      render(<ParameterForm showReference={false} fieldErrors={{ character_reference_image: ['The image could not be fetched'] }} />);
      expect(screen.getByRole('alert')).toHaveTextContent('The image could not be fetched');
    });
  });

  describe('controlled, submitting and disabled', () => {
    it('controlled: reports every change and shows what the parent passes back', async () => {
      const user = userEvent.setup();
      const seen: ParameterFormValue[] = [];
      function Parent() {
        const [value, setValue] = useState<ParameterFormValue>({
          prompt: '',
          character_reference_image: REFERENCE,
          rendering_speed: 'Turbo',
          style_type: 'Fiction',
          aspect_ratio: '2:3',
          resolution: 'None',
          magic_prompt_option: 'Off',
          seed: 7,
          numberOfImages: 2,
        });
        return (
          <ParameterForm
            showReference={false}
            value={value}
            onValueChange={(next) => {
              seen.push(next);
              setValue({ ...next, prompt: next.prompt.toUpperCase() });
            }}
          />
        );
      }
      render(<Parent />);
      expect(screen.getByRole('combobox', { name: 'Rendering speed' })).toHaveValue('Turbo');
      expect(screen.getByRole('radio', { name: '2:3' })).toBeChecked();
      expect(screen.getByRole('spinbutton', { name: 'Seed' })).toHaveValue(7);
      await user.type(screen.getByRole('textbox', { name: 'Prompt' }), 'ab');
      expect(seen.map((value) => value.prompt)).toEqual(['a', 'Ab']);
      expect(screen.getByRole('textbox', { name: 'Prompt' })).toHaveValue('AB');
    });

    it('while submitting, "Generate" is disabled for assistive tech but keeps focus, and a second submit does nothing', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      const { container } = render(
        <ParameterForm showReference={false} submitting defaultValue={{ character_reference_image: REFERENCE, prompt: 'a' }} onSubmit={onSubmit} />,
      );
      const button = screen.getByRole('button', { name: 'Generate' });
      expect(button).toHaveAttribute('aria-disabled', 'true');
      expect(button).toHaveAttribute('data-state', 'submitting');
      await user.type(screen.getByRole('textbox', { name: 'Prompt' }), '{Enter}');
      await user.click(button);
      expect(button).toHaveFocus();
      expect(onSubmit).not.toHaveBeenCalled();
      await expectNoAxeViolations(container);
    });

    it('disabled: every field and "Generate" are disabled', async () => {
      const { container } = render(<ParameterForm disabled referenceProps={{ allowUpload: false }} />);
      for (const name of ['Prompt', 'Image URL']) expect(screen.getByRole('textbox', { name })).toBeDisabled();
      for (const name of ['Rendering speed', 'Style', 'Magic prompt', 'Resolution', 'Number of images'])
        expect(screen.getByRole('combobox', { name })).toBeDisabled();
      expect(screen.getByRole('radiogroup', { name: 'Aspect ratio' })).toBeDisabled();
      expect(screen.getByRole('spinbutton', { name: 'Seed' })).toBeDisabled();
      expect(screen.getByRole('button', { name: 'Randomise seed' })).toBeDisabled();
      expect(screen.getByRole('button', { name: 'Generate' })).toBeDisabled();
      await expectNoAxeViolations(container);
    });

    it('labels: every visible string can be replaced', () => {
      render(<ParameterForm showReference={false} labels={{ prompt: 'Beschreibung', submit: 'Erzeugen', aspectRatio: 'Seitenverhältnis' }} />);
      expect(screen.getByRole('textbox', { name: 'Beschreibung' })).toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Erzeugen' })).toBeInTheDocument();
      expect(screen.getByRole('radiogroup', { name: 'Seitenverhältnis' })).toBeInTheDocument();
    });

    it('labels set to undefined keep their defaults instead of erasing them (or throwing where they are called)', async () => {
      const user = userEvent.setup();
      render(<ParameterForm showReference={false} labels={{ prompt: undefined, promptCounter: undefined, referenceRequired: undefined, submit: 'Erzeugen' }} />);
      expect(screen.getByRole('textbox', { name: 'Prompt' })).toHaveAccessibleDescription('0 characters');
      await user.click(screen.getByRole('button', { name: 'Erzeugen' }));
      expect(screen.getByText('Add a reference image: upload a photo or paste a link.')).toBeInTheDocument();
    });
  });

  describe('custom arrangement', () => {
    it('renders only the parts given, in the order given, inside the user’s own wrappers', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      render(
        <ParameterForm.Root defaultValue={{ character_reference_image: REFERENCE }} onSubmit={onSubmit} className="mine">
          <section aria-label="Main">
            <ParameterForm.Submit />
            <ParameterForm.Prompt />
          </section>
        </ParameterForm.Root>,
      );
      const section = screen.getByRole('region', { name: 'Main' });
      expect(within(section).getAllByRole('button')[0]).toHaveAccessibleName('Generate');
      expect(screen.queryByRole('radiogroup')).toBeNull();
      await user.type(screen.getByRole('textbox', { name: 'Prompt' }), 'x');
      await user.click(screen.getByRole('button', { name: 'Generate' }));
      expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ prompt: 'x', aspect_ratio: '1:1' }));
    });
  });
});
