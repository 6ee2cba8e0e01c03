import { describe, expect, it } from 'vitest'
import { liveUrl, parseApiBaseUrl } from './env'

describe('parseApiBaseUrl', () => {
  it('defaults to same origin', () => {
    expect(parseApiBaseUrl(undefined)).toBe('')
    expect(parseApiBaseUrl('  ')).toBe('')
  })
  it('accepts an http(s) origin and drops trailing slashes', () => {
    expect(parseApiBaseUrl('https://api.example.com:8443/')).toBe('https://api.example.com:8443')
  })
  it('rejects anything that is not an http(s) URL, naming the variable', () => {
    expect(() => parseApiBaseUrl('localhost:8000')).toThrow(/VITE_API_BASE_URL/)
    expect(() => parseApiBaseUrl('ftp://x')).toThrow(/http or https/)
  })
})

describe('liveUrl', () => {
  it('derives ws:// or wss:// from the page or the configured origin', () => {
    expect(liveUrl('', { origin: 'http://127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/ws/live')
    expect(liveUrl('', { origin: 'https://dash.example' })).toBe('wss://dash.example/ws/live')
    expect(liveUrl('http://api:8000', { origin: 'https://x' })).toBe('ws://api:8000/ws/live')
  })
})
