/**
 * The model the dashboard shows when the URL names none: the one GET /models marks `is_default`,
 * else the first listed (the backend lists the default first). Nothing else in the dashboard
 * knows a model by name.
 */
import type { RegisteredModel } from '../types/api'

/** The default model's name; null while nothing is registered (or the list is not loaded). */
export function defaultModelName(models: readonly RegisteredModel[] | null | undefined): string | null {
  if (!models?.length) return null
  return (models.find((m) => m.is_default === true) ?? models[0]).name
}
