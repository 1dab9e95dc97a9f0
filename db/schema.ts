// The tables, as kysely sees them. One interface per table; `Generated` marks columns the database fills.
import type { ColumnType, Generated, Selectable } from 'kysely'
import type {
  AccountMailKind,
  AlertRule,
  DeliveryStatus,
  DigestSchedule,
  NotificationKind,
  PlanStatus,
  RepeatEvery,
  Channel,
  InvitationStatus,
  LocalizedText,
  MailJobStatus,
  MailKind,
  PredictionMode,
  Role,
  Scale,
  Side,
  WaveStatus,
} from '../server/domain/types.js'
import type { SavedRelease } from '../server/domain/release.js'

type CreatedAt = ColumnType<Date, Date | undefined, never>
type Json<T> = ColumnType<T, T | string, T | string>

export interface OrganizationTable {
  id: Generated<string>
  name: string
  min_group_size: Generated<number>
  default_locale: Generated<string>
  created_at: CreatedAt
  /** two-factor (0011): password sign-ins must pass a second factor. */
  require_two_factor: Generated<boolean>
  /** adminbasics (0013): the From display name of survey mail ('' for the installation's own). */
  sender_name: Generated<string>
  /** adminbasics (0013): where replies to survey mail go; null for nowhere special. */
  reply_to: ColumnType<string | null, string | null | undefined, string | null>
}

export interface UserTable {
  id: Generated<string>
  organization_id: string
  email: string
  name: Generated<string>
  role: Role
  /** null for an account that signs in only with single sign-on. */
  password_hash: string | null
  created_at: CreatedAt
  last_login_at: Date | null
  // two-factor (0011): the TOTP secret sealed (security/encryption.ts), the last step accepted, failures.
  totp_secret: string | null
  totp_enabled_at: Date | null
  totp_last_step: number | null
  totp_pending_secret: string | null
  totp_pending_at: Date | null
  two_factor_failures: Generated<number>
  two_factor_failed_at: Date | null
  /** The OIDC issuer and subject this account is linked to (single sign-on), or null. */
  sso_issuer: Generated<string | null>
  sso_subject: Generated<string | null>
}

export interface SessionTable {
  id_hash: string
  user_id: string
  organization_id: string
  created_at: CreatedAt
  last_seen_at: Generated<Date>
  expires_at: Date
}

export interface ApiTokenTable {
  id: Generated<string>
  organization_id: string
  user_id: string
  name: string
  token_hash: string
  prefix: string
  created_at: CreatedAt
  last_used_at: Date | null
  revoked_at: Date | null
}

export interface InstrumentTable {
  id: Generated<string>
  organization_id: string | null
  key: string
  version: number
  name: string
  locales: string[]
  staff_question: Json<LocalizedText>
  customer_question: Json<LocalizedText>
  created_at: CreatedAt
}

export interface ItemTable {
  id: Generated<string>
  instrument_id: string
  position: number
  key: string
  dimension: string
  scale: Scale
  headline: boolean
  staff_text: Json<LocalizedText>
  customer_text: Json<LocalizedText>
  staff_predict_text: Json<LocalizedText> | null
  /** required items (0023): whether a respondent must answer it; otherwise a skip is stored as null. */
  required: Generated<boolean>
}

export interface UnitTable {
  id: Generated<string>
  organization_id: string
  name: string
  created_at: CreatedAt
  /** adminbasics (0013): set while the unit is archived. */
  archived_at: ColumnType<Date | null, Date | null | undefined, Date | null>
}

export interface WaveTable {
  id: Generated<string>
  organization_id: string
  instrument_id: string
  name: string
  status: WaveStatus
  opens_at: Date | null
  closes_at: Date | null
  locales: string[]
  created_at: CreatedAt
  reminders: Generated<number>
  reminder_days: Generated<number>
  /** predictions (0014): which items staff predict customers' answers for. */
  predictions: Generated<PredictionMode>
  /** schedule (0017): null, or how often a repeat of this wave is made. */
  repeat_every: ColumnType<RepeatEvery | null, RepeatEvery | null | undefined, RepeatEvery | null>
  /** schedule (0017): the wave this one repeats (at most one repeat per wave). */
  repeated_from: ColumnType<string | null, string | null | undefined, string | null>
  /** schedule (0017): subscribers who chose "weekly" get a digest every week while it is open. */
  weekly_digest: Generated<boolean>
}

export interface LinkTable {
  id: Generated<string>
  organization_id: string
  wave_id: string
  side: Side
  unit_id: string | null
  token: string
  created_at: CreatedAt
}

/** A unit's customer link in kiosk mode: its own public token and a daily cap (0027). */
export interface KioskTable {
  id: Generated<string>
  organization_id: string
  link_id: string
  side: Generated<'customer'>
  unit_id: string
  token: string
  daily_cap: number
  created_at: CreatedAt
}

/**
 * A claimed Idempotency-Key of one caller (0028): running while `status` is null, then the answer to
 * replay (its body sealed) until the row is a day old.
 */
export interface IdempotencyKeyTable {
  organization_id: string
  user_id: string
  /** SHA-256 of the key, hex. */
  key_hash: string
  /** Who holds the claim: only that request may settle it. */
  claim: string
  created_at: Date
  /** SHA-256 of method, path, media type and body bytes, hex; set with the answer. */
  fingerprint: string | null
  status: number | null
  content_type: string | null
  /** The answer's body, sealed for this organization, user and key. */
  body: string | null
  finished_at: Date | null
}

/** Responses a kiosk took on one day (UTC). */
export interface KioskDayTable {
  /** tenant keys (0032): the kiosk's organization. */
  organization_id: string
  kiosk_id: string
  day: string
  responses: number
}

/** Responses from one kiosk device (its id hashed) in a ten-minute bucket. */
export interface KioskDeviceCountTable {
  /** tenant keys (0032): the kiosk's organization. */
  organization_id: string
  kiosk_id: string
  device_hash: string
  bucket: Date
  responses: number
}

/** One limit's count for one key in its current window (0029): shared by every instance. */
export interface RateLimitTable {
  /** The limit: a route's method and path, or the name a limiter was given. */
  name: string
  /** HMAC of what is counted (usually the client's address) under the signing secret. */
  key_hash: string
  hits: number
  resets_at: Date
}

/** A person's last write as a WAL position on the primary (0030): their reports skip a replica that has not replayed it. */
export interface CallerWriteTable {
  organization_id: string
  user_id: string
  /** pg_lsn, as PostgreSQL prints it ("16/B374D848"). */
  lsn: string
}

export interface ResponseTable {
  id: Generated<string>
  organization_id: string
  wave_id: string
  side: Side
  unit_id: string | null
  locale: string
  channel: Channel
  attributes: Json<Record<string, string>>
  comment: string | null
  submission_key: string | null
  submitted_at: Generated<Date>
  /** answer vectors (0015): a customer's answers in item position order, null where none; staff: null. */
  answer_values: ColumnType<Array<number | null> | null, Array<number | null> | null | undefined, never>
  /** release steps (0016): staff, the step the response joined the figures in (staff_releases.seq); customers: null. */
  release_step: ColumnType<number | null, number | null | undefined, never>
  /** answers in the row (0031): a staff response's answers by item key (null: not applicable); customers: null. */
  staff_answers: ColumnType<Record<string, number | null> | null, string | null | undefined, never>
  /** A customer's item positions (from 1) answered "not applicable", which answer_values holds as null. */
  not_applicable: ColumnType<number[] | null, number[] | null | undefined, never>
}

/** A view (0031): one row per answer, read from the responses' own columns. */
export interface AnswerTable {
  organization_id: ColumnType<string, never, never>
  response_id: ColumnType<string, never, never>
  item_key: ColumnType<string, never, never>
  /** 1–5 on the agreement scale, 0–10 on the likelihood scale, null for "not applicable". */
  value: ColumnType<number | null, never, never>
}

/** A public form stored and not yet added to the rollups (repositories/rollups.ts). */
export interface FoldQueueTable {
  organization_id: string
  wave_id: string
  response_id: string
}

export interface InvitationTable {
  id: Generated<string>
  organization_id: string
  wave_id: string
  side: Side
  unit_id: string | null
  locale: string | null
  attributes: Json<Record<string, string>>
  token_hash: string
  status: Generated<InvitationStatus>
  used: Generated<boolean>
  used_at: Date | null
  created_at: CreatedAt
  contact_id: string | null
  reminders_sent: Generated<number>
  last_sent_at: Date | null
  error: string | null
  /** A staff invitation's: sha256('invitation:' + the form key that used it), so a retry of that form is known. */
  used_key_hash: string | null
}

export interface ContactTable {
  id: Generated<string>
  organization_id: string
  side: Side
  email: string
  name: Generated<string>
  unit_id: string | null
  locale: string | null
  attributes: Json<Record<string, string>>
  created_at: CreatedAt
  updated_at: Generated<Date>
}

export interface UnsubscribeTable {
  organization_id: string
  email: string
  created_at: CreatedAt
}

export interface MailJobTable {
  id: Generated<number>
  organization_id: string
  invitation_id: string
  kind: MailKind
  status: Generated<MailJobStatus>
  attempts: Generated<number>
  run_at: Generated<Date>
  locked_at: Date | null
  last_error: string | null
  created_at: CreatedAt
  sent_at: Date | null
}

export interface MailStateTable {
  organization_id: string
  paused_at: Date | null
  paused_reason: string | null
}

export interface OutboxMessageTable {
  id: Generated<number>
  organization_id: string
  recipient: string
  subject: string
  text_body: string
  html_body: string
  headers: Json<Record<string, string>>
  created_at: CreatedAt
}

/** An uploaded CSV file waiting for its preview to be confirmed: contacts, or responses for a wave. */
export interface UploadTable {
  id: Generated<string>
  organization_id: string
  kind: 'contacts' | 'responses'
  /** The wave a response upload is for; null for contacts. */
  wave_id: string | null
  user_id: string | null
  filename: string
  /** The file's size once it has arrived whole; null while it is still arriving. */
  bytes: number | null
  created_at: CreatedAt
  confirmed_at: Date | null
}

/** The bytes of an upload, as uploaded, in parts numbered from 0. */
export interface UploadPartTable {
  /** tenant keys (0032): the upload's organization. */
  organization_id: string
  upload_id: string
  position: number
  data: Uint8Array
}

/** Rollups key "no unit" as the nil UUID, so that the key has no nulls. */
export const NO_UNIT = '00000000-0000-0000-0000-000000000000'

export interface AnswerRollupTable {
  organization_id: string
  wave_id: string
  side: Side
  unit_key: string
  item_key: string
  value: number
  count: number
}

export interface DimensionRollupTable {
  organization_id: string
  wave_id: string
  side: Side
  unit_key: string
  dimension: string
  respondents: number
  agree: number
  mean_sum: number
}

export interface ResponseRollupTable {
  organization_id: string
  wave_id: string
  side: Side
  unit_key: string
  respondents: number
}

/** Per profile (wave × side × unit × attributes): the summed measure vectors (server/domain/measures.ts). */
export interface ProfileRollupTable {
  organization_id: string
  wave_id: string
  side: Side
  unit_key: string
  /** The responses' attributes exactly as stored in responses.attributes. */
  attributes: Json<Record<string, string>>
  /** Staff: the release step the answers joined at; 0 for customers. */
  step: Generated<number>
  counts: number[]
}

/**
 * A staff submission waiting to join the figures in a release step. Nothing in it points to an
 * invitation or contact, and its time is the UTC day only.
 */
export interface StaffPoolTable {
  id: Generated<string>
  organization_id: string
  wave_id: string
  unit_id: string | null
  locale: string
  channel: Channel
  attributes: Json<Record<string, string>>
  comment: string | null
  answers: Json<Record<string, number | null>>
  /** sha256('pool:' + the form key); null for imports. The released response keeps it as its submission_key. */
  submission_hash: string | null
  day: ColumnType<Date, string | undefined, never>
}

/** The release steps of a wave's staff figures, numbered from 1. */
export interface StaffReleaseTable {
  /** tenant keys (0032): the wave's organization. */
  organization_id: string
  wave_id: string
  seq: number
  released_at: Generated<Date>
  respondents: number
  /** The release this step shows (domain/release.ts SavedRelease). */
  shown: Json<SavedRelease>
}

/** One entry of an organization's audit log; rows are only ever added (a trigger refuses updates). */
export interface AuditLogTable {
  id: Generated<number>
  organization_id: string
  at: Generated<Date>
  actor_user_id: string | null
  actor_email: Generated<string>
  action: string
  target: Generated<string>
  detail: Json<Record<string, unknown>>
  ip: Generated<string>
}

/** Mail about an account, sent by the mail worker; the link in it is rebuilt from the secret. */
export interface AccountMailTable {
  id: Generated<number>
  organization_id: string
  kind: AccountMailKind
  /** What the mail is about: the password reset's or the colleague invitation's id. */
  ref_id: string
  recipient: string
  params: Json<Record<string, string>>
  status: Generated<MailJobStatus>
  attempts: Generated<number>
  run_at: Generated<Date>
  locked_at: Date | null
  last_error: string | null
  created_at: CreatedAt
  sent_at: Date | null
}

// -- passwords (0008) --

/** A password reset link; its token is rebuilt from the secret and the id, only its hash is kept. */
export interface PasswordResetTable {
  id: Generated<string>
  organization_id: string
  user_id: string
  token_hash: string
  created_at: CreatedAt
  expires_at: Date
  /** Set when the link was used, or when a newer link or a reset superseded it. */
  used_at: Date | null
}

/** One counted event (a failed sign-in, a reset request) for the per-account limits. */
export interface ThrottleEventTable {
  id: Generated<number>
  scope: 'sign_in' | 'password_reset'
  /** hashToken of what is limited: never the email itself. */
  key_hash: string
  at: Generated<Date>
}

// -- colleagues (0009) --

/** A colleague invited by email; the link's token is rebuilt from the secret and the id. */
export interface ColleagueInvitationTable {
  id: Generated<string>
  organization_id: string
  email: string
  name: Generated<string>
  role: Role
  /** For a unit manager: the units they will see. */
  unit_ids: Generated<string[]>
  invited_by: string | null
  token_hash: string
  created_at: CreatedAt
  expires_at: Date
  accepted_at: Date | null
  revoked_at: Date | null
}

/** The units a unit manager reads reports of. */
export interface UnitManagerTable {
  organization_id: string
  user_id: string
  unit_id: string
}

// -- single sign-on (0010) --

/** An organization's identity provider and who may sign in through it. */
export interface SsoSettingsTable {
  organization_id: string
  enabled: Generated<boolean>
  issuer: Generated<string>
  client_id: Generated<string>
  /** The client secret, sealed by server/security/secret-box.ts; never stored in the clear. */
  client_secret_sealed: string | null
  /** 'domains': accounts made on first sign-in for allowed_domains; 'invitation': only invited people and existing accounts. */
  sign_in_mode: Generated<'domains' | 'invitation'>
  allowed_domains: Generated<string[]>
  default_role: Generated<'viewer' | 'analyst'>
  sso_required: Generated<boolean>
  /** The one owner who keeps password sign-in when SSO is required. */
  break_glass_user_id: string | null
  updated_at: Generated<Date>
}

/** A sign-in between the redirect to the provider and its return; deleted when used. */
export interface SsoSignInTable {
  state_hash: string
  organization_id: string
  browser_hash: string
  issuer: string
  nonce: string
  code_verifier_sealed: string
  next: Generated<string>
  created_at: CreatedAt
  expires_at: Date
}

// -- two-factor (0011) --

/** A recovery code: only its keyed hash; used_at makes it single use. */
export interface RecoveryCodeTable {
  user_id: string
  code_hash: string
  used_at: Date | null
}

/** A password sign-in waiting for its second factor (or for one to be set up); the cookie holds the token. */
export interface TwoFactorChallengeTable {
  token_hash: string
  user_id: string
  organization_id: string
  purpose: 'verify' | 'enrol'
  /** Where the person goes once signed in (already checked by safeNext). */
  next: string
  failures: Generated<number>
  created_at: CreatedAt
  expires_at: Date
}

// -- data rights (0012) --

/** An unsubscribed address whose contact was deleted: HMAC-SHA256 of the normalized email (security/tokens.ts). */
export interface SuppressionTable {
  organization_id: string
  email_hash: string
  created_at: CreatedAt
}

/** Raised on every change to a side's figures other than an added response: the cached release reads it. */
export interface ReleaseRevisionTable {
  /** tenant keys (0032): the wave's organization. */
  organization_id: string
  wave_id: string
  side: Side
  revision: Generated<number>
}

/** Months after which contacts not invited, and comments, are deleted; null: never. */
export interface RetentionSettingsTable {
  organization_id: string
  contact_months: number | null
  comment_months: number | null
  updated_at: Generated<Date>
}

// -- admin basics (0013) --
// No tables of its own: units.archived_at, organizations.sender_name and organizations.reply_to are
// in their tables' interfaces above.

// -- closing the loop (0017) --

export interface ActionPlanTable {
  id: Generated<string>
  organization_id: string
  /** The wave the plan was made from (t₀ of design §4 "Action effect"). */
  wave_id: string
  unit_id: string
  /** Exactly one of item_key and dimension is set. */
  item_key: string | null
  dimension: string | null
  owner: string
  change: string
  due_on: ColumnType<string | null, string | null | undefined, string | null>
  status: Generated<PlanStatus>
  created_by: string | null
  created_at: CreatedAt
  updated_at: Generated<Date>
}

export interface NotificationSettingsTable {
  user_id: string
  organization_id: string
  /** null: every unit the user may read. */
  unit_ids: ColumnType<string[] | null, string[] | null | undefined, string[] | null>
  alert_email: Generated<boolean>
  digest: Generated<DigestSchedule>
  locale: Generated<string>
  updated_at: Generated<Date>
}

export interface NotificationMailTable {
  id: Generated<number>
  organization_id: string
  user_id: string | null
  kind: NotificationKind
  /** What it is about; (kind, ref, recipient) is unique, so each is queued once. */
  ref: string
  recipient: string
  locale: Generated<string>
  params: Json<Record<string, unknown>>
  status: Generated<MailJobStatus>
  attempts: Generated<number>
  run_at: Generated<Date>
  locked_at: Date | null
  last_error: string | null
  created_at: CreatedAt
  sent_at: Date | null
}

export interface AlertTable {
  id: Generated<string>
  organization_id: string
  wave_id: string
  previous_wave_id: string
  unit_id: string
  item_key: string
  rule: AlertRule
  /** Released aggregates only (shares, gaps, their changes and intervals, q). */
  figures: Json<Record<string, unknown>>
  release_seq: Generated<number>
  created_at: CreatedAt
}

export interface WaveWatchTable {
  wave_id: string
  organization_id: string
  /** The last staff release step the alert pass evaluated (-1: none yet). */
  evaluated_seq: Generated<number>
  closed_evaluated_at: Date | null
  updated_at: Generated<Date>
}

export interface WebhookTable {
  id: Generated<string>
  organization_id: string
  url: string
  /** Sealed (security/encryption.ts seal, purpose 'webhook-secret', context the webhook's id). */
  secret: string
  events: string[]
  active: Generated<boolean>
  created_at: CreatedAt
}

export interface WebhookDeliveryTable {
  id: Generated<number>
  organization_id: string
  webhook_id: string
  /** One event delivered to several webhooks keeps one id: receivers deduplicate on it. */
  event_id: string
  event: string
  payload: Json<Record<string, unknown>>
  status: Generated<DeliveryStatus>
  attempts: Generated<number>
  run_at: Generated<Date>
  locked_at: Date | null
  last_status: number | null
  last_error: string | null
  created_at: CreatedAt
  delivered_at: Date | null
}

export interface WebhookAttemptTable {
  id: Generated<number>
  /** tenant keys (0032): the delivery's organization. */
  organization_id: string
  delivery_id: number
  at: Generated<Date>
  status_code: number | null
  error: string | null
  duration_ms: Generated<number>
}

// -- digest runs (0022) --

// -- branding (0025) --

export interface OrganizationBrandingTable {
  organization_id: string
  /** The logo file itself (PNG, JPEG or WebP, at most 200 KB); null without a logo. */
  logo: Buffer | null
  logo_type: 'image/png' | 'image/jpeg' | 'image/webp' | null
  logo_width: number | null
  logo_height: number | null
  /** The first 32 hex digits of the logo's SHA-256: its public file name. */
  logo_hash: string | null
  /** '#rrggbb', lowercase; null for the standard colours. */
  accent: string | null
  updated_at: Generated<Date>
}

export interface DigestRunTable {
  wave_id: string
  organization_id: string
  /** 'close', or the ISO week of a weekly digest ('2026-W48'). */
  run: string
  queued_at: Generated<Date>
}

export interface Database {
  organizations: OrganizationTable
  users: UserTable
  sessions: SessionTable
  api_tokens: ApiTokenTable
  instruments: InstrumentTable
  items: ItemTable
  units: UnitTable
  waves: WaveTable
  links: LinkTable
  responses: ResponseTable
  answers: AnswerTable
  invitations: InvitationTable
  uploads: UploadTable
  upload_parts: UploadPartTable
  answer_rollups: AnswerRollupTable
  dimension_rollups: DimensionRollupTable
  response_rollups: ResponseRollupTable
  profile_rollups: ProfileRollupTable
  fold_queue: FoldQueueTable
  staff_pool: StaffPoolTable
  staff_releases: StaffReleaseTable
  contacts: ContactTable
  unsubscribes: UnsubscribeTable
  mail_jobs: MailJobTable
  mail_state: MailStateTable
  outbox_messages: OutboxMessageTable
  audit_log: AuditLogTable
  account_mails: AccountMailTable
  // -- passwords (0008) --
  password_resets: PasswordResetTable
  throttle_events: ThrottleEventTable

  // -- colleagues (0009) --
  colleague_invitations: ColleagueInvitationTable
  unit_managers: UnitManagerTable

  // -- single sign-on (0010) --
  sso_settings: SsoSettingsTable
  sso_sign_ins: SsoSignInTable

  // -- two-factor (0011) --
  recovery_codes: RecoveryCodeTable
  two_factor_challenges: TwoFactorChallengeTable

  // -- data rights (0012) --
  suppressions: SuppressionTable
  release_revisions: ReleaseRevisionTable
  retention_settings: RetentionSettingsTable

  // -- admin basics (0013) --

  // -- closing the loop (0017) --
  action_plans: ActionPlanTable
  notification_settings: NotificationSettingsTable
  notification_mails: NotificationMailTable
  alerts: AlertTable
  wave_watch: WaveWatchTable
  webhooks: WebhookTable
  webhook_deliveries: WebhookDeliveryTable
  webhook_attempts: WebhookAttemptTable

  // -- digest runs (0022) --
  digest_runs: DigestRunTable
  // -- branding (0025) --
  organization_branding: OrganizationBrandingTable
  // -- kiosks (0027) --
  kiosks: KioskTable
  kiosk_days: KioskDayTable
  kiosk_device_counts: KioskDeviceCountTable
  // -- idempotency keys (0028) --
  idempotency_keys: IdempotencyKeyTable
  // -- rate limits (0029) --
  rate_limits: RateLimitTable
  // -- read replica (0030) --
  caller_writes: CallerWriteTable
}

export type Organization = Selectable<OrganizationTable>
export type User = Selectable<UserTable>
export type Unit = Selectable<UnitTable>
export type Wave = Selectable<WaveTable>
export type Link = Selectable<LinkTable>
