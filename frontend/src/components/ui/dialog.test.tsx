import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useRef, useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { Dialog } from './dialog'

function Page({ onClose = () => {}, focusSecond = false }: { onClose?: () => void; focusSecond?: boolean }) {
  const [open, setOpen] = useState(false)
  const second = useRef<HTMLInputElement>(null)
  const close = () => {
    onClose()
    setOpen(false)
  }
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open && (
        <Dialog title="Rename the model" description="The name shows in every view." onClose={close} initialFocus={focusSecond ? second : undefined}>
          <input aria-label="First" />
          <input aria-label="Second" ref={second} />
          <button type="button" onClick={close}>
            Done
          </button>
        </Dialog>
      )}
    </>
  )
}

const open = () => userEvent.click(screen.getByRole('button', { name: 'Open' }))

describe('Dialog', () => {
  it('is a modal named by its title and described by its lead, focused on its first control', async () => {
    render(<Page />)
    await open()
    const dialog = screen.getByRole('dialog', { name: 'Rename the model' })
    expect(dialog).toHaveAttribute('aria-modal', 'true')
    expect(dialog).toHaveAccessibleDescription('The name shows in every view.')
    expect(screen.getByLabelText('First')).toHaveFocus()
  })

  it('starts on the control it is given', async () => {
    render(<Page focusSecond />)
    await open()
    expect(screen.getByLabelText('Second')).toHaveFocus()
  })

  it('keeps Tab and Shift+Tab inside', async () => {
    render(<Page />)
    await open()
    await userEvent.tab()
    await userEvent.tab()
    expect(screen.getByRole('button', { name: 'Done' })).toHaveFocus()
    await userEvent.tab()
    expect(screen.getByLabelText('First')).toHaveFocus()
    await userEvent.tab({ shift: true })
    expect(screen.getByRole('button', { name: 'Done' })).toHaveFocus()
  })

  it('closes on Escape and gives focus back to what opened it', async () => {
    const onClose = vi.fn()
    render(<Page onClose={onClose} />)
    await open()
    await userEvent.keyboard('{Escape}')
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.getByRole('button', { name: 'Open' })).toHaveFocus()
  })

  it('closes on a click beside it, not on one inside it', async () => {
    const onClose = vi.fn()
    render(<Page onClose={onClose} />)
    await open()
    await userEvent.click(screen.getByLabelText('Second'))
    expect(onClose).not.toHaveBeenCalled()
    await userEvent.click(screen.getByRole('dialog').parentElement!)
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(screen.queryByRole('dialog')).toBeNull()
  })
})
