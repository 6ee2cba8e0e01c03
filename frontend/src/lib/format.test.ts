import { describe, expect, it } from 'vitest'
import { formatAgo, formatBinLabel, niceTicks, stepDigits, formatDuration, formatInt, formatMoney, formatMs, formatPercent, formatPValue, formatSigned, humanize, shortVersion } from './format'
import { formatBin, formatFeatureValue, scoreSpec } from './format-feature'

describe('formatting for people', () => {
  it('groups thousands and shows a dash for missing values', () => {
    expect(formatInt(1234567)).toBe('1,234,567')
    expect(formatInt(null)).toBe('—')
    expect(formatPercent(0.0312, 2)).toBe('3.12%')
    expect(formatMoney(12500)).toBe('$12,500')
    expect(formatMs(3.24)).toBe('3.2 ms')
    expect(formatMs(123.4)).toBe('123 ms')
  })
  it('never shows a tiny p-value as zero', () => {
    expect(formatPValue(0.4321)).toBe('0.432')
    expect(formatPValue(2.5e-5)).toBe('2.5e-5')
    expect(formatPValue(6.3e-84)).toBe('< 1e-10')
    expect(formatPValue(0)).toBe('< 1e-10')
  })
  it('shortens bin labels and durations', () => {
    expect(formatBinLabel('0.001197 – 0.002486')).toBe('0.0012 – 0.00249')
    expect(formatBinLabel('< 8')).toBe('< 8')
    expect(formatBinLabel('12.3456 – 99.999')).toBe('12.3 – 100')
    expect(formatDuration(75)).toBe('1 min 15 s')
    expect(formatAgo('2026-11-23T12:00:00Z', Date.parse('2026-11-23T12:00:30Z'))).toBe('30 seconds ago')
  })
  it('turns feature names into labels', () => {
    expect(humanize('txn_count_24h')).toBe('Txn count 24h')
  })
  it('shortens a version to its last four characters', () => {
    expect(shortVersion('20261201-191003-e3915b7d')).toBe('v…5b7d')
    expect(shortVersion('v1')).toBe('v1')
    expect(shortVersion(null)).toBe('—')
  })
  it('signs a difference', () => {
    expect(formatSigned(0.01234)).toBe('+0.012')
    expect(formatSigned(-0.0041)).toBe('−0.004')
    expect(formatSigned(0)).toBe('0.000')
    expect(formatSigned(null)).toBe('—')
  })
})

const spec = (name: string, extra: object = {}) => ({ name, kind: 'numeric' as const, dtype: 'int' as const, unit: null, minimum: 0, maximum: null, ...extra })

describe('bin labels in the feature’s unit', () => {
  it('reads amounts as money', () => {
    const amount = spec('amount', { dtype: 'float', unit: 'USD', minimum: 0.01, maximum: 50000 })
    expect(formatBin('135.4 – 252.1', amount)).toBe('$135–$252')
    expect(formatBin('< 21.51', amount)).toBe('< $22')
    expect(formatBin('≥ 252.1', amount)).toBe('≥ $252')
    expect(formatBin('2.5 – 7.25', amount)).toBe('$2.50–$7.25')
  })
  it('reads the hour of day as a clock interval', () => {
    const hour = spec('hour_of_day', { unit: 'h', maximum: 23 })
    expect(formatBin('< 8', hour)).toBe('00–08')
    expect(formatBin('8 – 10', hour)).toBe('08–10')
    expect(formatBin('≥ 19', hour)).toBe('19–24')
  })
  it('reads the day of week as weekday names, 0 = Monday, and drops a bin no day fits', () => {
    const day = spec('day_of_week', { maximum: 6, description: 'Day of week, 0 = Monday' })
    expect(formatBin('0 – 1', day)).toBe('Mon')
    expect(formatBin('5 – 6', day)).toBe('Sat')
    expect(formatBin('≥ 6', day)).toBe('Sun')
    expect(formatBin('1 – 4', day)).toBe('Tue–Thu')
    expect(formatBin('< 0', day)).toBeNull()
  })
  it('gives integer features whole numbers, no decimals', () => {
    const age = spec('account_age_days', { maximum: 36500 })
    expect(formatBin('309.9 – 509', age)).toBe('310–508')
    expect(formatBin('< 309.9', age)).toBe('0–309')
    expect(formatBin('≥ 2949', age)).toBe('≥ 2,949')
    expect(formatBin('5 – 7', spec('txn_count_24h'))).toBe('5–6')
    expect(formatBin('4 – 5', spec('txn_count_24h'))).toBe('4')
  })
  it('reads the model score as a percentage', () => {
    const score = scoreSpec('fraud_probability')
    expect(formatBin('0.001197 – 0.001563', score)).toBe('0.12%–0.16%')
    expect(formatBin('0.002 – 0.004', score)).toBe('0.2%–0.4%')
    expect(formatBin('≥ 0.0547', score)).toBe('≥ 5.5%')
  })
  it('keeps decimals short, and names categories and booleans', () => {
    expect(formatBin('1.4 – 2.1934', spec('distance_from_home_km', { dtype: 'float', unit: 'km' }))).toBe('1.4–2.19')
    expect(formatBin('gas_station', { name: 'merchant_category', kind: 'categorical' })).toBe('Gas station')
    expect(formatBin('(unseen)', { name: 'merchant_category', kind: 'categorical' })).toBe('Unseen')
    expect(formatBin('true', { name: 'card_present', kind: 'boolean' })).toBe('Yes')
    expect(formatBin('0.001197 – 0.002486')).toBe('0.0012 – 0.00249') // no schema: as before
  })
})

describe('feature values', () => {
  it('reads each value in its unit', () => {
    expect(formatFeatureValue(1240, spec('amount', { dtype: 'float', unit: 'USD' }))).toBe('$1,240')
    expect(formatFeatureValue(84.5, spec('amount', { dtype: 'float', unit: 'USD' }))).toBe('$84.50')
    expect(formatFeatureValue(3, spec('hour_of_day', { unit: 'h', maximum: 23 }))).toBe('03:00')
    expect(formatFeatureValue(2, spec('day_of_week', { maximum: 6 }))).toBe('Wednesday')
    expect(formatFeatureValue(4200, spec('distance_from_home_km', { dtype: 'float', unit: 'km' }))).toBe('4,200')
    expect(formatFeatureValue(false, { name: 'card_present', kind: 'boolean' })).toBe('No')
    expect(formatFeatureValue('online_retail', { name: 'merchant_category', kind: 'categorical' })).toBe('Online retail')
    expect(formatFeatureValue(null)).toBe('—')
  })
})

describe('chart ticks', () => {
  it('are round and evenly spaced', () => {
    expect(niceTicks(0.14)).toEqual([0, 0.05, 0.1, 0.15])
    expect(niceTicks(0.61)).toEqual([0, 0.2, 0.4, 0.6, 0.8])
    expect(niceTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3])
    expect(niceTicks(2610)).toEqual([0, 1000, 2000, 3000])
    expect(stepDigits([0, 0.05, 0.1])).toBe(2)
    expect(stepDigits([0, 0.25, 0.5])).toBe(2)
    expect(stepDigits([0, 1000])).toBe(0)
  })
})
