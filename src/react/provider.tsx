import { QueryClient, QueryClientContext, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useMemo, useRef, type ReactNode } from 'react';
import { createCharacterClient } from '../core/client.js';
import type { CharacterClient, PollPolicy } from '../core/types.js';
import type { GenerationStorage } from './persistence.js';

/** What the provider hands down to every hook below it. */
export interface CharacterGenerationContextValue {
  /** The client built from `endpoint`, or the `client` prop; `null` when the provider was given neither. */
  client: CharacterClient | null;
  /** A poll policy that overrides the client's, when given. */
  pollPolicy: PollPolicy | undefined;
  /** Whether hooks persist their job handle, unless a hook says otherwise. */
  persist: boolean | undefined;
  /** Where hooks persist their job handle, unless a hook says otherwise. */
  storage: GenerationStorage | undefined;
}

const CharacterGenerationContext = createContext<CharacterGenerationContextValue | null>(null);
CharacterGenerationContext.displayName = 'CharacterGenerationContext';

/** Props of `CharacterGenerationProvider`. */
export interface CharacterGenerationProviderProps {
  /** The proxy endpoint the hooks talk to, e.g. `/api/character`; ignored when `client` is given. @default the enclosing provider's client, if any */
  endpoint?: string;
  /** A ready client (e.g. with custom `fetch` or headers); takes precedence over `endpoint`. @default undefined */
  client?: CharacterClient;
  /** The poll policy for every generation below; overrides the client's own. @default the enclosing provider's, else the client's `pollPolicy` */
  pollPolicy?: PollPolicy;
  /** Keep each submitted job's handle so it survives unmounts and reloads. @default the enclosing provider's, else true */
  persist?: boolean;
  /** Where to keep job handles. @default the enclosing provider's, else sessionStorage (in the browser; nothing on the server) */
  storage?: GenerationStorage;
  /** The QueryClient to use. @default the app's QueryClient from an enclosing `QueryClientProvider`, else one created once by this provider */
  queryClient?: QueryClient;
  /** The part of the app that generates images. */
  children?: ReactNode;
}

function trimEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

/** One QueryClient for the provider's (or the hook's) lifetime, created only when no other is available. */
export function useFallbackQueryClient(available: QueryClient | undefined): QueryClient | undefined {
  const own = useRef<QueryClient | null>(null);
  if (available) return available;
  if (own.current === null) own.current = new QueryClient();
  return own.current;
}

/**
 * Gives every `useCharacterGeneration` (and the ready components) below it a client, a poll
 * policy and persistence settings. Uses the app's own `QueryClient` when a
 * `QueryClientProvider` is above it, and creates one only when there is none.
 *
 * @example
 * <CharacterGenerationProvider endpoint="/api/character">
 *   <CharacterGenerator />
 * </CharacterGenerationProvider>
 */
export function CharacterGenerationProvider({
  endpoint,
  client,
  pollPolicy,
  persist,
  storage,
  queryClient,
  children,
}: CharacterGenerationProviderProps) {
  const outer = useContext(QueryClientContext);
  const fallback = useFallbackQueryClient(queryClient ?? outer);
  // A nested provider inherits what it does not set from the one above it.
  const parent = useContext(CharacterGenerationContext);
  const policy = pollPolicy ?? parent?.pollPolicy;
  const built = useMemo(
    () => (client || !endpoint ? null : createCharacterClient(policy ? { endpoint, pollPolicy: policy } : { endpoint })),
    [client, endpoint, policy],
  );
  const value = useMemo<CharacterGenerationContextValue>(
    () => ({
      client: client ?? built ?? parent?.client ?? null,
      pollPolicy: policy,
      persist: persist ?? parent?.persist,
      storage: storage ?? parent?.storage,
    }),
    [client, built, parent, policy, persist, storage],
  );
  const inner = <CharacterGenerationContext.Provider value={value}>{children}</CharacterGenerationContext.Provider>;
  // Only wrap when the client is not already the one in context: the app's own stays in charge.
  if (fallback && fallback !== outer) return <QueryClientProvider client={fallback}>{inner}</QueryClientProvider>;
  return inner;
}

/** The provider's settings, or `null` outside a provider (hooks then rely on their own options). */
export function useCharacterGenerationContext(): CharacterGenerationContextValue | null {
  return useContext(CharacterGenerationContext);
}

/** Options of `useCharacterClient`: a hook's own overrides of the provider's client. */
export interface UseCharacterClientOptions {
  /** A ready client to use instead of the provider's. @default the provider's client */
  client?: CharacterClient;
  /** Talk to this endpoint instead of the provider's (a client is created for it once). @default the provider's endpoint */
  endpoint?: string;
}

/**
 * The `CharacterClient` for this part of the tree: the `client` option, else one made for the
 * `endpoint` option, else the nearest `CharacterGenerationProvider`'s. Throws a clear error when
 * there is none of these.
 *
 * @example
 * const client = useCharacterClient()
 * const { url } = await client.uploadReference(file)
 */
export function useCharacterClient(options: UseCharacterClientOptions = {}): CharacterClient {
  const context = useContext(CharacterGenerationContext);
  const { client, endpoint } = options;
  const contextClient = context?.client ?? null;
  const pollPolicy = context?.pollPolicy;
  const own = useMemo(() => {
    if (client || !endpoint) return null;
    // The provider's client already talks to this endpoint: share it (and its poll policy).
    if (contextClient && contextClient.endpoint === trimEndpoint(endpoint)) return null;
    return createCharacterClient(pollPolicy ? { endpoint, pollPolicy } : { endpoint });
  }, [client, endpoint, contextClient, pollPolicy]);
  const resolved = client ?? own ?? contextClient;
  if (!resolved) {
    throw new Error(
      'react-ideogram-character: no CharacterClient available. Wrap the tree in ' +
        '<CharacterGenerationProvider endpoint="/api/character"> (or client={…}), ' +
        'or pass { endpoint } or { client } to the hook.',
    );
  }
  return resolved;
}
