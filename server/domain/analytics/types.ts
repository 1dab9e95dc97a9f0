// What the leadership analytics return (design §4, "Leadership analytics"): the shapes the report API
// carries as `drivers`, `fixFirst`, `prediction` and `linkage`, the dashboard shows and the OpenAPI
// document declares. Shares are proportions in [0, 1]; gaps, prediction errors and biases are
// percentage points, like every gap of the report. Each of the four is null where the data or the
// anonymity release do not allow it, with the reason in the report's `unavailable`.
export type Interval = [number, number]

/** Why an analysis is not in the report, in a code for programs and a sentence for people. */
export interface Unavailable {
  code:
    | 'not_enough_answers' // fewer respondents than the analysis needs (the message says how many)
    | 'suppressed' // the anonymity release hides figures the analysis needs
    | 'no_predictions' // the wave does not ask staff for predictions
    | 'too_few_units' // fewer units with both sides released than linkage needs
    | 'not_for_one_unit' // linkage compares units, so it has no answer inside one unit
    | 'no_spread' // every unit has the same staff climate (or customer outcome): nothing to correlate
    | 'no_drivers' // fix first needs driver weights, which are unavailable
  message: string
}

/** Which group an analysis answers: the report's filters, or the whole wave when it says so. */
export interface AnalysisScope {
  /** The unit it is computed for (null: every unit). */
  unit: { id: string; name: string } | null
  staff: Record<string, string>
  customer: Record<string, string>
  /** True when the analysis shows the whole wave although the page is filtered (and says why in `note`). */
  wholeWave: boolean
  note: string | null
}

// ---------- Key drivers (customer side) ----------

export interface DriverWeight {
  key: string
  dimension: string
  /** Pearson correlation of the item with the outcome (pairwise complete). */
  correlation: number
  /** Johnson's raw relative weight ε_j; the raw weights sum to R². */
  raw: number
  rawCi95: Interval
  /** ε_j / R²: the item's share of what the model explains (the weights sum to 1). */
  weight: number
  weightCi95: Interval
  /** 1 for the strongest driver. */
  rank: number
}

export interface Drivers {
  /** The headline item's key: what the drivers explain. */
  outcome: string
  /** Customers in the analysis (those with an outcome and at least one predictor answered). */
  n: number
  /** The fewest customers the analysis accepts: max(10 × predictors, 100). */
  minimum: number
  r2: number
  r2Ci95: Interval
  /** Strongest first. */
  weights: DriverWeight[]
  method: {
    correlations: 'pairwise'
    bootstrap: {
      replicates: number
      seed: number
      /** 'respondents': every replicate resamples all respondents; above a size, the bag of little bootstraps (Kleiner et al. 2014). */
      scheme: 'respondents' | 'bag_of_little_bootstraps'
      confidence: 0.95
      /** The bag of little bootstraps only: how many subsets, and of how many respondents each. */
      subsets?: number
      subsetSize?: number
    }
  }
  scope: AnalysisScope
}

// ---------- Fix first ----------

/** Importance–performance quadrant: importance = driver weight, performance = customers' share, split at their means. */
export type Quadrant = 'fix_first' | 'keep_up' | 'low_priority' | 'possible_overkill'

export interface FixFirstItem {
  key: string
  dimension: string
  /** The item in customers' words (English, the organization's name filled in). */
  customerText: string
  weight: number
  weightCi95: Interval
  /** staff − customers, in points; null where a side is suppressed. */
  gapPoints: number | null
  gapCi95: Interval | null
  customerShare: number | null
  staffShare: number | null
  /** F_j = w_j × max(0, gap_j / 100). */
  index: number
  rank: number
  quadrant: Quadrant
}

export interface FixFirst {
  /** Every predictor, by index (largest first; ties by weight, then key). */
  items: FixFirstItem[]
  /** The first three with a positive index: what to fix first. */
  top: Array<FixFirstItem & { sentence: string }>
  /** Where the quadrant is split: the mean weight and the mean customer share over the items. */
  cuts: { weight: number; customerShare: number }
  scope: AnalysisScope
}

// ---------- Staff predict the customer ----------

/** The staff's predicted customer share: the mean of k/10, with a t-interval (clipped to [0, 1]). */
export interface PredictedShare {
  n: number
  share: number
  sd: number
  ci95: Interval
  /** How many staff gave 0 … 10. */
  distribution: number[]
}

export interface SimpleShare {
  n: number
  share: number
  ci95: Interval
}

export interface PredictionItem {
  key: string
  /** What staff say of the service themselves (the item's staff share). */
  staff: SimpleShare | null
  /** What staff predict customers say. */
  predicted: PredictedShare | null
  /** What customers say. */
  customer: SimpleShare | null
  /** predicted − customers, in points, with the MOVER interval; null where a part is missing. */
  error: { points: number; ci95: Interval } | null
}

export interface UnitPrediction {
  unit: { id: string; name: string }
  /** Items compared (both sides and the prediction released). */
  items: number
  /** Mean over items of predicted − actual, in points: above 0, staff think customers happier than they are. */
  optimismBias: number
  /** Mean over items of |predicted − actual|, in points. */
  meanAbsoluteError: number
  /** Pearson r over items of predicted and actual shares; null with fewer than 3 items or no spread. */
  tracking: number | null
}

export interface Prediction {
  mode: 'headline' | 'all'
  /** The headline read three ways. */
  headline: PredictionItem
  /** Every predicted item (the headline first). */
  items: PredictionItem[]
  /** Units with the headline's three parts released, most optimistic first. */
  units: UnitPrediction[]
  scope: AnalysisScope
}

// ---------- Linkage across units ----------

export interface Correlation {
  r: number
  /** Fisher-z interval, SE = 1/√(J − 3). */
  ci95: Interval
}

export interface Icc {
  icc1: number
  icc2: number
  /** Units and respondents the one-way ANOVA used. */
  units: number
  respondents: number
}

export interface LinkagePoint {
  unit: { id: string; name: string }
  /** Staff climate: the share of staff answers agreeing, over every staff item. */
  staff: number
  /** Customer outcome: the headline's customer share. */
  customer: number
  staffN: number
  customerN: number
}

export interface CrossLagged {
  /** The earlier wave the lag starts from. */
  from: { id: string; name: string }
  /** Units in both waves with both sides released in each. */
  units: number
  /** Coefficient of staff(t) in customers(t+1) ~ customers(t) + staff(t): staff climate leading customers. */
  staffLeads: { estimate: number; ci95: Interval }
  /** Coefficient of customers(t) in staff(t+1) ~ staff(t) + customers(t): customers leading staff climate. */
  customersLead: { estimate: number; ci95: Interval }
  /** Which of the two is clearly larger (its interval excludes 0 and the other's does not), else 'unclear'. */
  leads: 'staff' | 'customers' | 'unclear'
  bootstrap: { replicates: number; seed: number }
}

export interface Linkage {
  /** Units with both sides released (J). */
  units: number
  points: LinkagePoint[]
  pearson: Correlation
  spearman: Correlation
  icc: { staff: Icc | null; customer: Icc }
  /** r / √(ICC2_staff · ICC2_customer), capped at ±1; null without the staff ICC or with a reliability ≤ 0. */
  disattenuated: number | null
  /** Units needed to detect the observed r at 80% power (α = 0.05, two-sided); null when r = 0. */
  unitsFor80Power: number | null
  /** With an earlier wave of the same instrument and at least 5 units in both: which leads. */
  crossLagged: CrossLagged | null
  scope: AnalysisScope
}

/** The four analyses as the report carries them. */
export interface Analytics {
  drivers: Drivers | null
  fixFirst: FixFirst | null
  prediction: Prediction | null
  linkage: Linkage | null
  unavailable: Partial<Record<'drivers' | 'fixFirst' | 'prediction' | 'linkage', Unavailable>>
}
