import '@testing-library/jest-dom/vitest'
import { cleanup, configure } from '@testing-library/react'
import { afterEach } from 'vitest'

// findBy… and waitFor end as soon as what they wait for is there; on a busy two-core machine the first
// render of a file can take seconds, so their ceiling is 5 s rather than 1 s (a ceiling, not a wait).
configure({ asyncUtilTimeout: 5000 })

afterEach(() => {
  cleanup()
  window.history.replaceState(null, '', '/') // no test leaves a ?model= or a #/view behind
})

// Recharts measures its container; jsdom has no layout engine.
if (!globalThis.ResizeObserver) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
}

// jsdom lays nothing out, so every box measures 0×0 and Recharts would draw nothing:
// give chart containers a laptop-like size so charts render their bars and lines in tests.
const measure = HTMLElement.prototype.getBoundingClientRect
HTMLElement.prototype.getBoundingClientRect = function getBoundingClientRect() {
  const rect = measure.call(this)
  if (rect.width || rect.height || !this.classList.contains('recharts-responsive-container')) return rect
  return { x: 0, y: 0, top: 0, left: 0, right: 640, bottom: 240, width: 640, height: 240, toJSON() {} }
}
