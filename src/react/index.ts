export {
  CharacterGenerationProvider,
  useCharacterClient,
  type CharacterGenerationProviderProps,
  type UseCharacterClientOptions,
} from './provider.js';
export {
  useCharacterGeneration,
  characterJobQueryKey,
  DEFAULT_DEADLINE_MS,
  type GenerationStatus,
  type UseCharacterGenerationOptions,
  type UseCharacterGenerationResult,
} from './use-character-generation.js';
export {
  useGenerationProgress,
  type GenerationProgress,
  type UseGenerationProgressOptions,
} from './use-generation-progress.js';
export type { GenerationStorage, GenerationHandle, PersistedInputSummary } from './persistence.js';
