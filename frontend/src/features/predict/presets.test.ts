import { describe, expect, it } from 'vitest'
import { cancerFeatures, schema } from '../../test/fixtures'
import type { FeatureSpec } from '../../types/api'
import { presetsFor } from './presets'

const feature = (name: string): FeatureSpec => ({ ...schema[0], name })
const transaction = [
  'amount', 'hour_of_day', 'merchant_category', 'distance_from_home_km', 'distance_from_last_txn_km', 'ratio_to_median_amount',
  'txn_count_24h', 'card_present', 'entry_mode', 'account_age_days', 'customer_age', 'is_international', 'day_of_week',
].map(feature)

describe('presetsFor', () => {
  it('offers a preset to a model whose inputs include every feature it sets, whatever the model is called', () => {
    expect(presetsFor(transaction).map((p) => p.label)).toEqual(['Suspicious purchase'])
  })
  it('offers none to a model with other inputs, or only some of them', () => {
    expect(presetsFor(cancerFeatures)).toEqual([])
    expect(presetsFor(schema)).toEqual([])
  })
})
