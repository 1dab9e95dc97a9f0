// The instrument versions the product ships with, every one of them: they are installed at start
// (repositories/instruments.ts) and shared by every organization. A new wave on a built-in key gets
// its newest version; waves already on an older one keep it.
import type { InstrumentDefinition } from './instrument.js'
import { SERVICE_GAP_INDEX_V1 } from './service-gap-index.js'
import { SERVICE_GAP_INDEX_V2 } from './service-gap-index-v2.js'

export { SERVICE_GAP_INDEX_V1, SERVICE_GAP_INDEX_V2 }

export const BUILT_IN_INSTRUMENTS: readonly InstrumentDefinition[] = [SERVICE_GAP_INDEX_V1, SERVICE_GAP_INDEX_V2]
