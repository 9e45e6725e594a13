// Package policy holds Creditflow's credit policy as data: the pre-approval
// scorecard, the review service level and the dunning steps of each payment
// segment. The defaults are the design's; CREDITFLOW_POLICY_FILE overrides
// any part of them with YAML of the same shape.
package policy

import (
	"fmt"
	"os"
	"slices"

	"gopkg.in/yaml.v3"
)

// Policy is the whole credit policy.
type Policy struct {
	Scoring Scoring `yaml:"scoring" json:"scoring"`
	Review  Review  `yaml:"review" json:"review"`
	Dunning Dunning `yaml:"dunning" json:"dunning"`
	// PeriodicReview: when and how an account's credit is reviewed again.
	PeriodicReview PeriodicReview `yaml:"periodic_review" json:"periodic_review"`
	Digest         Digest         `yaml:"digest" json:"digest"`
}

// Scoring is the pre-approval scorecard.
type Scoring struct {
	// YearsInBusiness gives points to the first bracket (from the top) whose
	// AtLeast the years reach.
	YearsInBusiness []Bracket `yaml:"years_in_business" json:"years_in_business"`
	// AnnualRevenue brackets are decimal amounts in whole currency units;
	// the revenue scores the points of the highest bracket it reaches.
	AnnualRevenue []RevenueBracket `yaml:"annual_revenue" json:"annual_revenue"`
	// LimitToRevenue gives points when the requested limit is at most
	// MaxPercent of the annual revenue; the first match wins.
	LimitToRevenue []RatioBracket `yaml:"limit_to_revenue" json:"limit_to_revenue"`
	// TradeReference points per reference, capped.
	TradeReferencePoints int `yaml:"trade_reference_points" json:"trade_reference_points"`
	TradeReferenceCap    int `yaml:"trade_reference_cap" json:"trade_reference_cap"`
	// Bands from best to worst; a score gets the first band it reaches.
	Bands []Band `yaml:"bands" json:"bands"`
	// AutoApproveMax is the largest limit (whole units) approved without a
	// human, whatever the band.
	AutoApproveMax int64 `yaml:"auto_approve_max" json:"auto_approve_max"`
	// AutoApproveBands and AutoDeclineBands decide the clear cases.
	AutoApproveBands []string `yaml:"auto_approve_bands" json:"auto_approve_bands"`
	AutoDeclineBands []string `yaml:"auto_decline_bands" json:"auto_decline_bands"`
	// OverdueDaysLoweringBand: for a limit increase, an invoice this many
	// days overdue lowers the band by one and rules out automatic approval.
	OverdueDaysLoweringBand int `yaml:"overdue_days_lowering_band" json:"overdue_days_lowering_band"`
}

// Bracket maps a count to points.
type Bracket struct {
	AtLeast int `yaml:"at_least" json:"at_least"`
	Points  int `yaml:"points" json:"points"`
}

// RevenueBracket maps an amount (whole units, decimal string) to points.
type RevenueBracket struct {
	AtLeast string `yaml:"at_least" json:"at_least"`
	Points  int    `yaml:"points" json:"points"`
}

// RatioBracket maps "requested limit at most MaxPercent of revenue" to points.
type RatioBracket struct {
	MaxPercent int `yaml:"max_percent" json:"max_percent"`
	Points     int `yaml:"points" json:"points"`
}

// Band is a risk band with the share of annual revenue it recommends as a
// credit limit.
type Band struct {
	Name               string `yaml:"name" json:"name"`
	MinScore           int    `yaml:"min_score" json:"min_score"`
	RecommendedPercent int    `yaml:"recommended_percent" json:"recommended_percent"`
}

// Review is the service level of a credit request waiting for a human,
// in policy days.
type Review struct {
	ReminderAfterDays  int   `yaml:"reminder_after_days" json:"reminder_after_days"`
	EscalateAfterDays  int   `yaml:"escalate_after_days" json:"escalate_after_days"`
	ExpireAfterDays    int   `yaml:"expire_after_days" json:"expire_after_days"`
	DefaultApprovalMax int64 `yaml:"default_approval_limit" json:"default_approval_limit"`
	// An approval with conditions waits for them: the rep is reminded
	// every ConditionsReminderDays, and the approval lapses after
	// ConditionsLapseDays with one still pending.
	ConditionsReminderDays int `yaml:"conditions_reminder_days" json:"conditions_reminder_days"`
	ConditionsLapseDays    int `yaml:"conditions_lapse_days" json:"conditions_lapse_days"`
	// A letter of credit that holds an approval is followed until it
	// expires: credit and the rep hear LetterOfCreditNoticeDays before.
	LetterOfCreditNoticeDays int `yaml:"letter_of_credit_notice_days" json:"letter_of_credit_notice_days"`
}

// Dunning is how invoices are followed up, per payment segment.
type Dunning struct {
	Segments map[string][]Step `yaml:"segments" json:"segments"`
	// Classification of an account from its paid invoices of the last year.
	MinPaidForSegment   int `yaml:"min_paid_for_segment" json:"min_paid_for_segment"`
	PromptOnTimePercent int `yaml:"prompt_on_time_percent" json:"prompt_on_time_percent"`
	SlowLatePercent     int `yaml:"slow_late_percent" json:"slow_late_percent"`
	SlowLateDays        int `yaml:"slow_late_days" json:"slow_late_days"`
	EscalationAckDays   int `yaml:"escalation_ack_days" json:"escalation_ack_days"`
	MaxPauseDays        int `yaml:"max_pause_days" json:"max_pause_days"`
	// MaxPromiseDays is how far ahead a promise to pay may be dated.
	MaxPromiseDays int `yaml:"max_promise_days" json:"max_promise_days"`
	// ReplyPauseDays is how long a customer's reply pauses its reminders
	// when nobody in credit marks it read sooner.
	ReplyPauseDays   int `yaml:"reply_pause_days" json:"reply_pause_days"`
	CustomerSendHour int `yaml:"customer_send_hour" json:"customer_send_hour"`
	// CustomerEmailWindowSeconds is how long a customer's email of the
	// day waits for the account's other steps of the day (CustomerEmailWindow).
	CustomerEmailWindowSeconds int `yaml:"customer_email_window_seconds" json:"customer_email_window_seconds"`
}

// Step actions.
const (
	ActionCourtesyNotice = "courtesy_notice"
	ActionReminder       = "reminder"
	ActionEscalate       = "escalate"
	ActionHold           = "hold"
	ActionFinalNotice    = "final_notice"
)

// Payment segments.
const (
	SegmentPrompt   = "prompt"
	SegmentStandard = "standard"
	SegmentSlow     = "slow"
)

// Step is one dunning step, Day policy days after the due date (negative:
// before it).
type Step struct {
	Day    int    `yaml:"day" json:"day"`
	Action string `yaml:"action" json:"action"`
}

// CustomerFacing reports whether the step writes to the customer.
func (s Step) CustomerFacing() bool { return IsCustomerFacing(s.Action) }

// Default is the design's policy.
func Default() Policy {
	return Policy{
		Scoring: Scoring{
			YearsInBusiness: []Bracket{{11, 35}, {6, 30}, {3, 20}, {1, 10}, {0, 0}},
			AnnualRevenue: []RevenueBracket{
				{"10000000.001", 25}, {"1000000", 20}, {"100000", 10}, {"0", 0},
			},
			LimitToRevenue:          []RatioBracket{{2, 25}, {5, 15}, {10, 5}},
			TradeReferencePoints:    5,
			TradeReferenceCap:       15,
			Bands:                   []Band{{"A", 80, 10}, {"B", 65, 7}, {"C", 50, 5}, {"D", 35, 2}, {"E", 0, 0}},
			AutoApproveMax:          25000,
			AutoApproveBands:        []string{"A", "B"},
			AutoDeclineBands:        []string{"E"},
			OverdueDaysLoweringBand: 30,
		},
		Review: Review{ReminderAfterDays: 2, EscalateAfterDays: 4, ExpireAfterDays: 30, DefaultApprovalMax: 100000,
			ConditionsReminderDays: 7, ConditionsLapseDays: 60, LetterOfCreditNoticeDays: 30},
		Dunning: Dunning{
			Segments: map[string][]Step{
				SegmentPrompt: {
					{1, ActionReminder}, {10, ActionEscalate}, {30, ActionHold},
				},
				SegmentStandard: {
					{-3, ActionCourtesyNotice}, {1, ActionReminder}, {7, ActionReminder},
					{14, ActionEscalate}, {30, ActionHold}, {30, ActionFinalNotice},
				},
				SegmentSlow: {
					{-7, ActionCourtesyNotice}, {-1, ActionCourtesyNotice}, {1, ActionReminder},
					{5, ActionReminder}, {10, ActionEscalate}, {21, ActionHold}, {21, ActionFinalNotice},
				},
			},
			MinPaidForSegment:          3,
			PromptOnTimePercent:        90,
			SlowLatePercent:            30,
			SlowLateDays:               15,
			EscalationAckDays:          3,
			MaxPauseDays:               14,
			MaxPromiseDays:             90,
			ReplyPauseDays:             5,
			CustomerSendHour:           9,
			CustomerEmailWindowSeconds: 600,
		},
		PeriodicReview: defaultPeriodicReview(),
		Digest: Digest{
			HighRiskBands:       []string{"D", "E"},
			HighRiskSegments:    []string{SegmentSlow},
			HighRiskOverdueDays: 30,
			MostOverdueAccounts: 10,
			ItemsPerList:        20,
		},
	}
}

// Load returns the default policy overridden by the YAML file at path, if
// any. Keys the file leaves out keep their defaults.
func Load(path string) (Policy, error) {
	p := Default()
	if path == "" {
		return p, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("read policy: %w", err)
	}
	if err := yaml.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("parse policy %s: %w", path, err)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// Validate refuses a policy that would make the workflows misbehave.
func (p Policy) Validate() error {
	r := p.Review
	if r.ReminderAfterDays <= 0 || r.EscalateAfterDays < r.ReminderAfterDays || r.ExpireAfterDays <= r.EscalateAfterDays {
		return fmt.Errorf("review: want 0 < reminder_after_days <= escalate_after_days < expire_after_days")
	}
	if r.ConditionsReminderDays <= 0 || r.ConditionsLapseDays < r.ConditionsReminderDays {
		return fmt.Errorf("review: want 0 < conditions_reminder_days <= conditions_lapse_days")
	}
	if r.LetterOfCreditNoticeDays <= 0 {
		return fmt.Errorf("review: want letter_of_credit_notice_days > 0")
	}
	if len(p.Scoring.Bands) == 0 {
		return fmt.Errorf("scoring.bands: at least one band")
	}
	for _, seg := range []string{SegmentPrompt, SegmentStandard, SegmentSlow} {
		steps, ok := p.Dunning.Segments[seg]
		if !ok || len(steps) == 0 {
			return fmt.Errorf("dunning.segments.%s: missing", seg)
		}
		if !slices.IsSortedFunc(steps, func(a, b Step) int { return a.Day - b.Day }) {
			return fmt.Errorf("dunning.segments.%s: steps must be in day order", seg)
		}
		for _, s := range steps {
			switch s.Action {
			case ActionCourtesyNotice, ActionReminder, ActionEscalate, ActionHold, ActionFinalNotice:
			default:
				return fmt.Errorf("dunning.segments.%s: unknown action %q", seg, s.Action)
			}
		}
	}
	if d := p.Dunning; d.ReplyPauseDays < 1 || d.ReplyPauseDays > 30 {
		return fmt.Errorf("dunning: want reply_pause_days within 1..30")
	}
	if d := p.Dunning; d.MaxPauseDays < 1 || d.MaxPauseDays > 366 || d.MaxPromiseDays < 1 || d.MaxPromiseDays > 366 {
		return fmt.Errorf("dunning: want max_pause_days and max_promise_days within 1..366")
	}
	if h := p.Dunning.CustomerSendHour; h < 0 || h > 23 {
		return fmt.Errorf("dunning.customer_send_hour: want 0..23")
	}
	if w := p.Dunning.CustomerEmailWindowSeconds; w < 1 || w > 3600 {
		return fmt.Errorf("dunning.customer_email_window_seconds: want 1..3600 (an hour: the day's email waits at most six windows)")
	}
	if err := p.PeriodicReview.validate(p.Scoring.Bands); err != nil {
		return err
	}
	if d := p.Digest; d.ItemsPerList < 1 || d.ItemsPerList > 200 || d.MostOverdueAccounts < 1 || d.MostOverdueAccounts > 200 || d.HighRiskOverdueDays < 0 {
		return fmt.Errorf("digest: want items_per_list and most_overdue_accounts within 1..200, high_risk_overdue_days >= 0")
	}
	return nil
}
