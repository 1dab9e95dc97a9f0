// The product's literal types: the words a wave, a link, an answer or a user is described with.
// The database schema (db/schema.ts) stores them; every layer names them from here.

/** Text in each locale the instrument supports, e.g. { en: '…', es: '…', de: '…' }. */
export type LocalizedText = Record<string, string>

export type Role = 'owner' | 'admin' | 'analyst' | 'viewer' | 'unit_manager'
export type Side = 'staff' | 'customer'

/** Both sides, staff first: the order every page and export lists them in. */
export const SIDES: readonly Side[] = ['staff', 'customer']
export type WaveStatus = 'draft' | 'open' | 'closed'
export type Scale = 'agree5' | 'likelihood11'

/** Which items a wave's staff predict customers' answers for (domain/predictions.ts). */
export type PredictionMode = 'off' | 'headline' | 'all'
export const PREDICTION_MODES: readonly PredictionMode[] = ['off', 'headline', 'all']

/** How a response arrived. */
export type Channel = 'link' | 'invitation' | 'import' | 'api'
export type InvitationStatus = 'queued' | 'sent' | 'failed' | 'bounced'

export type MailKind = 'invitation' | 'reminder'
export type MailJobStatus = 'pending' | 'sending' | 'sent' | 'failed'

/** Mail about an account rather than a survey. */
export type AccountMailKind = 'password_reset' | 'colleague_invitation'
