/**
 * `defaults` with each override laid over it in turn, skipping `undefined` values: a label or
 * message set to `undefined` (e.g. `labels={{ prompt: t('prompt') }}` before the translation
 * loaded) keeps its default instead of erasing it. The one merge of every part's labels.
 *
 * @example
 * const labels = withDefaults(defaultResultGridLabels, props.labels);
 */
export function withDefaults<T extends object>(defaults: T, ...overrides: Array<Partial<NoInfer<T>> | undefined>): T {
  const merged = { ...defaults } as Record<string, unknown>;
  for (const override of overrides) {
    for (const key in override) {
      const value = (override as Record<string, unknown>)[key];
      if (value !== undefined) merged[key] = value;
    }
  }
  return merged as T;
}
