await Promise.resolve()
const x = undefined
export const y = x.bind(null)
