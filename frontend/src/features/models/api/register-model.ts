import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'

/** Check (dry run) or register a model: the multipart form of POST /models; a stored one refreshes the model list. */
export function useRegisterModel() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (form: FormData) => api.upload('/models', form),
    onSuccess: (registration) => {
      if (registration.saved) client.invalidateQueries({ queryKey: keys.models })
    },
  })
}
