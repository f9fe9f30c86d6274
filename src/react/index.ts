export {
  CharacterGenerationProvider,
  useCharacterClient,
  type CharacterGenerationProviderProps,
  type UseCharacterClientOptions,
} from './provider.js';
export type { GenerationStorage, GenerationHandle, PersistedInputSummary } from './persistence.js';
