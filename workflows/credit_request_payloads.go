package workflows

import "time"

// The types below cross CreditRequestWorkflow's boundary: its input and
// result, its updates' arguments and the payloads of its activities. They
// are plain structs owned by the workflow, apart from the API's bodies and
// the database's rows, and they decode every history recorded so far.

// Credit request kinds, statuses and decision outcomes, as the API shows them.
const (
	KindPreApproval   = "pre_approval"
	KindLimitIncrease = "limit_increase"
	// KindPeriodicReview is started by the review schedule, not by a rep.
	KindPeriodicReview = "periodic_review"

	StatusScoring                = "scoring"
	StatusPendingReview          = "pending_review"
	StatusApproved               = "approved"
	StatusApprovedWithConditions = "approved_with_conditions"
	StatusDeclined               = "declined"
	StatusExpired                = "expired"
	StatusWithdrawn              = "withdrawn"
	// StatusHeld: a periodic review put the account on hold.
	StatusHeld = "held"
	// StatusLapsed: an approval whose conditions were not met in time.
	StatusLapsed = "lapsed"

	OutcomeApprove               = "approve"
	OutcomeApproveWithConditions = "approve_with_conditions"
	OutcomeDecline               = "decline"
	// OutcomeHold ends a periodic review with a credit hold.
	OutcomeHold = "hold"
)

// Roles a workflow re-checks.
const (
	RoleSales         = "sales"
	RoleCredit        = "credit"
	RoleCreditManager = "credit_manager"
)

// Conditions an approval may carry.
var Conditions = []string{"letter_of_credit", "personal_guarantee", "deposit", "shorter_terms"}

// Prospect is the company a pre-approval is asked for.
type Prospect struct {
	Name               string `json:"name"`
	RegistrationNumber string `json:"registration_number"`
	Country            string `json:"country"`
	BillingEmail       string `json:"billing_email"`
	AnnualRevenue      Money  `json:"annual_revenue"`
	YearsInBusiness    int    `json:"years_in_business"`
	TradeReferences    int    `json:"trade_references"`
	TimeZone           string `json:"time_zone,omitempty"`
}

// CreditRequest is the workflow's input (a new request, status scoring),
// its state, its query's answer and its result.
type CreditRequest struct {
	ID               string     `json:"id"`
	Kind             string     `json:"kind"`
	Status           string     `json:"status"`
	AccountID        string     `json:"account_id"`
	Prospect         *Prospect  `json:"prospect,omitempty"`
	RequestedLimit   Money      `json:"requested_limit"`
	Reason           string     `json:"reason,omitempty"`
	Score            *int       `json:"score,omitempty"`
	Band             string     `json:"band,omitempty"`
	Reasons          []string   `json:"reasons"`
	RecommendedLimit *Money     `json:"recommended_limit,omitempty"`
	Decision         *Decision  `json:"decision,omitempty"`
	CreatedBy        string     `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
	// Campaign names the sales campaign a limit increase was filed in;
	// absent from requests started before campaigns.
	Campaign string `json:"campaign,omitempty"`
}

// Decision is what was decided about a credit request, by a person or by
// the scorecard ("creditflow").
type Decision struct {
	Outcome       string      `json:"outcome"`
	ApprovedLimit *Money      `json:"approved_limit,omitempty"`
	Conditions    []Condition `json:"conditions,omitempty"`
	Reason        string      `json:"reason,omitempty"`
	DecidedBy     string      `json:"decided_by"`
	DecidedAt     time.Time   `json:"decided_at"`
	Automatic     bool        `json:"automatic"`
	// ReviewOutcome is, for a periodic review, what the decision did to
	// the limit: keep, lower, raise (an approve) or hold.
	ReviewOutcome string `json:"review_outcome,omitempty"`
}

// Status is the request status a decision outcome leads to.
func (d Decision) Status() string {
	switch d.Outcome {
	case OutcomeApprove:
		return StatusApproved
	case OutcomeApproveWithConditions:
		return StatusApprovedWithConditions
	case OutcomeHold:
		return StatusHeld
	default:
		return StatusDeclined
	}
}

// Decider is who sends an update, as the API authenticated them; the
// workflow re-checks their rights.
type Decider struct {
	UserID        string `json:"user_id"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	ApprovalLimit *int64 `json:"approval_limit,omitempty"`
}

// DecisionInput is the argument of the decision update.
type DecisionInput struct {
	Outcome       string      `json:"outcome"`
	ApprovedLimit *Money      `json:"approved_limit,omitempty"`
	Conditions    []Condition `json:"conditions,omitempty"`
	Reason        string      `json:"reason,omitempty"`
	By            Decider     `json:"by"`
}

// WithdrawInput is the argument of the withdrawal update.
type WithdrawInput struct {
	Reason string  `json:"reason,omitempty"`
	By     Decider `json:"by"`
}

// Score is the scorecard's verdict.
type Score struct {
	Points           int      `json:"score"`
	Band             string   `json:"band"`
	Reasons          []string `json:"reasons"`
	RecommendedLimit Money    `json:"recommended_limit"`
	Outcome          string   `json:"outcome"`
	// Recommendation is a periodic review's advice: keep, lower, raise
	// or hold.
	Recommendation string `json:"recommendation,omitempty"`
}

// Automatic outcomes of scoring.
const (
	ScoreApprove = "approve"
	ScoreDecline = "decline"
	ScoreReview  = "review"
)

// Review is the service level of a request waiting for a human, in
// policy days, and the approval limit of an analyst who has none of
// their own (whole units of the request's currency).
type Review struct {
	ReminderAfterDays  int   `json:"reminder_after_days"`
	EscalateAfterDays  int   `json:"escalate_after_days"`
	ExpireAfterDays    int   `json:"expire_after_days"`
	DefaultApprovalMax int64 `json:"default_approval_limit"`
	// Taken with the score since conditions are held; zero in older
	// histories, where the defaults apply (conditionsPolicy).
	ConditionsReminderDays int `json:"conditions_reminder_days,omitempty"`
	ConditionsLapseDays    int `json:"conditions_lapse_days,omitempty"`
	// Taken since letters of credit are followed; zero before, where
	// the default applies (letterOfCreditNoticeDays).
	LetterOfCreditNoticeDays int `json:"letter_of_credit_notice_days,omitempty"`
}

// Assessment is the result of ScoreCreditRequest: the verdict, and the
// policy the workflow applies while it waits, taken once so that a
// running request keeps the rules it started with.
type Assessment struct {
	Score       Score         `json:"score"`
	Review      Review        `json:"review"`
	Day         time.Duration `json:"day"`
	AccountName string        `json:"account_name"`
}

// ApplyDecisionInput records a decision and applies it to the account.
type ApplyDecisionInput struct {
	RequestID string   `json:"request_id"`
	Decision  Decision `json:"decision"`
}

// CloseCreditRequestInput ends a request that nobody decided.
type CloseCreditRequestInput struct {
	RequestID string    `json:"request_id"`
	Status    string    `json:"status"`
	By        string    `json:"by"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}
