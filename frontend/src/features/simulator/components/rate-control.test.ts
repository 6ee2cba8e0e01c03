import { describe, expect, it } from 'vitest'
import openapiText from '../../../api/openapi.json?raw'
import { RPS_RANGE } from './rate-control'

interface RateSchema {
  anyOf?: { type: string; minimum?: number; maximum?: number }[]
}

/** The committed OpenAPI document, which backend/tests/test_frontend_contract.py keeps equal to the backend's. */
const openapi = JSON.parse(openapiText) as { components: { schemas: { SimulatorUpdate: { oneOf: { properties: { rps: RateSchema } }[] } } } }

describe('RateControl', () => {
  it('accepts the rates the API documents for every scenario of PUT /simulator', () => {
    const variants = openapi.components.schemas.SimulatorUpdate.oneOf
    const ranges = variants.map(({ properties }) => {
      const number = properties.rps.anyOf?.find((option) => option.type === 'number')
      return { min: number?.minimum, max: number?.maximum }
    })
    expect(ranges.length).toBeGreaterThan(0)
    for (const range of ranges) expect(range).toEqual(RPS_RANGE)
  })
})
