import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, within } from 'storybook/test';
import { ParameterForm } from '../src/components/parameter-form/index.js';
import { PORTRAIT } from './portrait.js';


const meta = {
  title: 'Components/ParameterForm',
  component: ParameterForm,
  args: {
    onSubmit: fn(),
    onValueChange: fn(),
    referenceProps: { allowUpload: false },
    defaultValue: { character_reference_image: PORTRAIT },
  },
  parameters: {
    docs: {
      description: {
        component:
          'The generation parameters, validated with the core schema. `<ParameterForm />` is the ready form; to arrange fields yourself use `ParameterForm.Root` with any of `.Reference`, `.Prompt`, `.RenderingSpeed`, `.Style`, `.MagicPrompt`, `.AspectRatio`, `.Resolution`, `.Seed`, `.NumberOfImages`, `.FormError` and `.Submit`, in any order and inside your own wrappers. Each field part is one `data-slot="parameter-form-field"` element (`data-field` = the parameter) holding its label, control and error; `useParameterFormField(name)` gives a fully custom field the same ids, value, errors and aria props. `onSubmit` receives a clean `CharacterInput`; `fieldErrors` (e.g. from a 422) shows on the matching fields.',
      },
    },
  },
  decorators: [(Story) => <div style={{ maxWidth: '44rem' }}>{Story()}</div>],
} satisfies Meta<typeof ParameterForm>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The ready form with its defaults. */
export const Default: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('textbox', { name: 'Prompt' })).toBeInTheDocument();
    await expect(canvas.getByRole('radiogroup', { name: 'Aspect ratio' })).toBeEnabled();
    await expect(canvas.getByRole('button', { name: 'Generate' })).toBeEnabled();
  },
};

/** Submitted empty, plus a server error on the seed: errors inline, linked, first field focused. */
export const WithErrors: Story = {
  args: {
    defaultValue: { character_reference_image: '' },
    fieldErrors: { seed: ['This seed was refused by the server'] },
  },
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
    await expect(args.onSubmit).not.toHaveBeenCalled();
    await expect(canvas.getByRole('textbox', { name: 'Prompt' })).toHaveAccessibleDescription(/Enter a prompt/);
    await expect(canvas.getByRole('spinbutton', { name: 'Seed' })).toHaveAttribute('aria-invalid', 'true');
    await expect(canvas.getByRole('textbox', { name: 'Image URL' })).toHaveFocus();
  },
};

/** A resolution is chosen: "Aspect ratio" is disabled and says why. */
export const ResolutionChosen: Story = {
  args: { defaultValue: { character_reference_image: PORTRAIT, resolution: '1344x768', prompt: 'On a rooftop at dusk' } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const group = canvas.getByRole('radiogroup', { name: 'Aspect ratio' });
    await expect(group).toBeDisabled();
    await expect(group).toHaveAccessibleDescription(/The resolution 1344x768 sets the shape/);
  },
};

/** A submit is in flight: "Generate" is disabled for assistive tech (`aria-disabled`) but keeps focus. */
export const Submitting: Story = {
  args: { submitting: true, defaultValue: { character_reference_image: PORTRAIT, prompt: 'Reading in a library' } },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('button', { name: 'Generate' })).toHaveAttribute('aria-disabled', 'true');
  },
};

/**
 * Your own arrangement: `ParameterForm.Root` with the field parts in any order, inside your
 * own layout elements; fields left out keep their defaults and their errors show in `FormError`.
 */
export const CustomArrangement: Story = {
  render: (args) => (
    <ParameterForm.Root onSubmit={args.onSubmit} defaultValue={args.defaultValue}>
      <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '1rem', gridColumn: '1 / -1' }}>
        <ParameterForm.Reference allowUpload={false} />
        <div style={{ display: 'grid', gap: '1rem', alignContent: 'start' }}>
          <ParameterForm.Prompt />
          <ParameterForm.Style />
          <ParameterForm.NumberOfImages />
        </div>
      </div>
      <ParameterForm.AspectRatio />
      <ParameterForm.FormError />
      <ParameterForm.Submit />
    </ParameterForm.Root>
  ),
  play: async ({ canvasElement, args }) => {
    const canvas = within(canvasElement);
    await expect(canvas.queryByRole('combobox', { name: 'Resolution' })).toBeNull();
    await userEvent.type(canvas.getByRole('textbox', { name: 'Prompt' }), 'Walking a dog in Lisbon');
    await userEvent.click(canvas.getByRole('button', { name: 'Generate' }));
    await expect(args.onSubmit).toHaveBeenCalledWith(expect.objectContaining({ prompt: 'Walking a dog in Lisbon', aspect_ratio: '1:1' }));
  },
};
