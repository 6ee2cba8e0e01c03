import { describe, expect, it } from 'vitest'
import { formatAgo, formatBinLabel, formatDuration, formatInt, formatMoney, formatMs, formatPercent, formatPValue, formatSigned, humanize, shortVersion } from './format'

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
