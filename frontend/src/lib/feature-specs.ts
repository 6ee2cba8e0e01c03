/**
 * A model's features by name, for labels and numbers in its units: "Amount (USD)", "$22–$30".
 * The score (`score`, or the built-in model's `fraud_probability`) reads as a probability.
 */
import { useMemo } from 'react'
import type { FeatureSpec } from '../types/api'
import { humanize } from './format'
import { featureLabel, scoreSpec, type FeatureFormat } from './format-feature'
import { useServedVersion } from './api/get-served-version'

/** The names the model's score goes by in drift results. */
const SCORE_NAMES = new Set(['fraud_probability', 'score'])

export interface FeatureSpecs {
  /** The schema entry of `name` (the score's stand-in for the score); undefined while the schema loads or for an unknown name. */
  spec: (name: string) => FeatureFormat | undefined
  /** The label of `name`: the schema's ("Distance from home (km)"), else the name made readable. */
  label: (name: string) => string
}

export function featureSpecs(schema: FeatureSpec[] | undefined): FeatureSpecs {
  const byName = new Map((schema ?? []).map((f) => [f.name, f]))
  const spec = (name: string): FeatureFormat | undefined => byName.get(name) ?? (SCORE_NAMES.has(name) ? scoreSpec(name) : undefined)
  const label = (name: string) => {
    const entry = byName.get(name)
    return entry ? featureLabel(entry) : humanize(name)
  }
  return { spec, label }
}

/** The feature specs of the version `model` serves (labels fall back to readable names while the schema loads). */
export function useFeatureSpecs(model: string): FeatureSpecs {
  const schema = useServedVersion(model).data?.features
  return useMemo(() => featureSpecs(schema), [schema])
}
