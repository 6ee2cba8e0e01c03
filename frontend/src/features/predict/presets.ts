/**
 * Example inputs a user can load in one click. A preset is offered for any model whose inputs
 * include every feature it sets: the schema decides, not the model's name.
 */
import type { FeatureSpec } from '../../types/api'
import type { Row } from './components/row-form'

export interface Preset {
  label: string
  values: Partial<Row>
}

const PRESETS: Preset[] = [
  {
    // The card-transaction generator's fraud signals: a risky purchase, for a one-click demo.
    label: 'Suspicious purchase',
    values: {
      amount: 2400, hour_of_day: 3, merchant_category: 'electronics', distance_from_home_km: 4200,
      distance_from_last_txn_km: 3900, ratio_to_median_amount: 14, txn_count_24h: 14, card_present: false,
      entry_mode: 'manual', account_age_days: 20, customer_age: 23, is_international: true,
    },
  },
]

/** The presets whose every feature is in `schema`. */
export function presetsFor(schema: FeatureSpec[]): Preset[] {
  const names = new Set(schema.map((f) => f.name))
  return PRESETS.filter((preset) => Object.keys(preset.values).every((name) => names.has(name)))
}
