/** The form's own fields, as POST /models names them, and how the page calls them. */
export const FIELDS = {
  name: 'Name',
  artifact: 'Model file',
  reference: 'Reference data',
  schema: 'Schema file',
  label: 'Label column',
  threshold: 'Decision threshold',
  description: 'Description',
} as const
export type Field = keyof typeof FIELDS
export const isField = (name: string): name is Field => name in FIELDS
