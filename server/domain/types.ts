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
export type Channel = 'link' | 'invitation' | 'import' | 'api' | 'kiosk'
export type InvitationStatus = 'queued' | 'sent' | 'failed' | 'bounced'

export type MailKind = 'invitation' | 'reminder'
export type MailJobStatus = 'pending' | 'sending' | 'sent' | 'failed'

/** Mail about an account rather than a survey. */
export type AccountMailKind = 'password_reset' | 'colleague_invitation'

// -- closing the loop (0017) --

/** An action plan's state, as its owner reports it (the verdict is the customers'). */
export type PlanStatus = 'planned' | 'in_progress' | 'done' | 'dropped'
export const PLAN_STATUSES: readonly PlanStatus[] = ['planned', 'in_progress', 'done', 'dropped']
/** What customers say of a plan after later waves (design §4, "Action effect"). */
export type PlanVerdict = 'worked' | 'no_effect_yet' | 'worse'

/** The two alert rules of design §4 ("Gap drift"). */
export type AlertRule = 'gap_drift' | 'customers_fell'

/** Mail about results, sent to users who subscribed (notification_settings). */
export type NotificationKind = 'alert' | 'digest'
/** When a user gets the digest: never, when a wave closes, or also weekly while it is open. */
export type DigestSchedule = 'off' | 'close' | 'weekly'

/** How often a wave repeats; null when it does not. */
export type RepeatEvery = 'month' | 'quarter'

/** What a webhook can subscribe to. */
export type WebhookEvent = 'response_released' | 'wave_opened' | 'wave_closed' | 'alert_raised' | 'plan_changed'
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['response_released', 'wave_opened', 'wave_closed', 'alert_raised', 'plan_changed']
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed'
