export {
  CharacterGenerator,
  CharacterGeneratorRoot,
  CharacterGeneratorForm,
  CharacterGeneratorGrid,
  CharacterGeneratorProgress,
  CharacterGeneratorCredits,
  CharacterGeneratorCancel,
  useCharacterGenerator,
  type CharacterGeneratorProps,
  type CharacterGeneratorRootProps,
  type CharacterGeneratorFormProps,
  type CharacterGeneratorGridProps,
  type CharacterGeneratorProgressProps,
  type CharacterGeneratorCreditsProps,
  type CharacterGeneratorCancelProps,
  type CharacterGeneratorContextValue,
} from './character-generator.js';
export {
  defaultCharacterGeneratorLabels,
  type CharacterGeneratorLabels,
  type CharacterGeneratorLabelOverrides,
} from './labels.js';
