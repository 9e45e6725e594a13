package policy

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/creditflow/creditflow/money"
)

// PeriodicReview is how often an account's credit is looked at again, and
// the scorecard of that review: it starts from full marks and the
// account's own payment record since its last review takes points off.
// The total falls into the pre-approval scorecard's bands.
type PeriodicReview struct {
	// ReviewEveryDays is the interval between reviews, in policy days, by
	// the account's band (the band of its last scored request). An account
	// without a band is reviewed as often as the most frequent band.
	ReviewEveryDays map[string]int `yaml:"review_every_days" json:"review_every_days"`
	// StartPoints is the score of a clean record.
	StartPoints int `yaml:"start_points" json:"start_points"`
	// DaysBeyondTerms: points for the amount-weighted average days the
	// invoices due in the period were paid (or are still open) past their
	// due date; the first bracket the average reaches.
	DaysBeyondTerms []Bracket `yaml:"days_beyond_terms" json:"days_beyond_terms"`
	// Points per event in the period, down to a floor.
	BrokenPromise PerEvent `yaml:"broken_promise" json:"broken_promise"`
	Dispute       PerEvent `yaml:"dispute" json:"dispute"`
	Hold          PerEvent `yaml:"hold" json:"hold"`
	// OverLimitPoints: the exposure is above the limit today.
	OverLimitPoints int `yaml:"over_limit_points" json:"over_limit_points"`
	// AutoKeepBands keep the limit without a person when nothing adverse
	// happened in the period: a review that needs nobody does not wait in
	// the inbox. Nothing else is ever decided automatically.
	AutoKeepBands []string `yaml:"auto_keep_bands" json:"auto_keep_bands"`
	// HoldBands recommend a credit hold; LowerBands recommend lowering the
	// limit to LowerToPercent of what it is.
	HoldBands      []string `yaml:"hold_bands" json:"hold_bands"`
	LowerBands     []string `yaml:"lower_bands" json:"lower_bands"`
	LowerToPercent int      `yaml:"lower_to_percent" json:"lower_to_percent"`
	// RaiseBands recommend raising the limit to RaiseToPercent of what it
	// is when nothing adverse happened and the customer uses at least
	// RaiseWhenUsedPercent of it.
	RaiseBands           []string `yaml:"raise_bands" json:"raise_bands"`
	RaiseWhenUsedPercent int      `yaml:"raise_when_used_percent" json:"raise_when_used_percent"`
	RaiseToPercent       int      `yaml:"raise_to_percent" json:"raise_to_percent"`
}

// PerEvent gives Points (negative: taken off) for each event, in total
// never below Floor.
type PerEvent struct {
	Points int `yaml:"points" json:"points"`
	Floor  int `yaml:"floor" json:"floor"`
}

// Recommendations of a periodic review.
const (
	RecommendKeep  = "keep"
	RecommendLower = "lower"
	RecommendRaise = "raise"
	RecommendHold  = "hold"
)

func defaultPeriodicReview() PeriodicReview {
	return PeriodicReview{
		ReviewEveryDays: map[string]int{"A": 365, "B": 180, "C": 90, "D": 30, "E": 30},
		StartPoints:     100,
		DaysBeyondTerms: []Bracket{{61, -50}, {31, -35}, {16, -20}, {6, -10}, {1, -5}, {0, 0}},
		BrokenPromise:   PerEvent{Points: -10, Floor: -30},
		Dispute:         PerEvent{Points: -5, Floor: -15},
		Hold:            PerEvent{Points: -15, Floor: -30},
		OverLimitPoints: -25,
		AutoKeepBands:   []string{"A", "B"},
		HoldBands:       []string{"E"},
		LowerBands:      []string{"D"},
		LowerToPercent:  50,
		RaiseBands:      []string{"A", "B"},
		// A customer who pays on time and uses most of the limit is
		// held back by it: the analyst is offered a quarter more.
		RaiseWhenUsedPercent: 80,
		RaiseToPercent:       125,
	}
}

// EveryDays is the review interval of a band, in policy days.
func (p PeriodicReview) EveryDays(band string) int {
	if d, ok := p.ReviewEveryDays[band]; ok {
		return d
	}
	shortest := 0
	for _, d := range p.ReviewEveryDays {
		if shortest == 0 || d < shortest {
			shortest = d
		}
	}
	return shortest
}

// DueAt is when an account of band last reviewed at lastReview is due
// again, on a policy clock of day.
func (p PeriodicReview) DueAt(band string, lastReview time.Time, day time.Duration) time.Time {
	return lastReview.Add(time.Duration(p.EveryDays(band)) * day)
}

// DayNumber numbers policy days from the Unix epoch: the period a review
// belongs to, the same in every process that computes it.
func DayNumber(t time.Time, day time.Duration) int64 {
	n := t.UnixNano() / int64(day)
	if t.UnixNano()%int64(day) < 0 {
		n--
	}
	return n
}

func (p PeriodicReview) validate(bands []Band) error {
	for _, b := range bands {
		if p.ReviewEveryDays[b.Name] <= 0 {
			return fmt.Errorf("periodic_review.review_every_days.%s: want a positive number of days", b.Name)
		}
	}
	if p.LowerToPercent <= 0 || p.LowerToPercent >= 100 {
		return fmt.Errorf("periodic_review.lower_to_percent: want 1..99")
	}
	if p.RaiseToPercent <= 100 {
		return fmt.Errorf("periodic_review.raise_to_percent: want more than 100")
	}
	return nil
}

// ReviewRecord is an account's payment record in the period under review.
type ReviewRecord struct {
	// Since is the last review (or the account's activation).
	Since time.Time
	// Invoices due in the period, paid or still open (disputed ones count
	// as disputes, not as late payments).
	Invoices       []InvoiceLateness
	BrokenPromises int
	Disputes       int
	// Holds placed in the period, or still in force.
	Holds       int
	CreditLimit money.Money
	Exposure    money.Money
}

// InvoiceLateness is one invoice's amount and the calendar days it was
// paid, or is still open, past its due date (0 when within terms).
type InvoiceLateness struct {
	Amount   int64
	DaysLate int
}

// ReviewScore is a periodic review's verdict: Score as the pre-approval
// scorecard gives it (Outcome approve: keep the limit without a person),
// and what the reviewer is advised to do.
type ReviewScore struct {
	Score
	Recommendation string `json:"recommendation"`
}

// DaysBeyondTerms is the amount-weighted average of the days late, and
// the worst.
func (r ReviewRecord) DaysBeyondTerms() (average, worst int) {
	var weighted, total big.Int
	for _, inv := range r.Invoices {
		weighted.Add(&weighted, new(big.Int).Mul(big.NewInt(inv.Amount), big.NewInt(int64(inv.DaysLate))))
		total.Add(&total, big.NewInt(inv.Amount))
		worst = max(worst, inv.DaysLate)
	}
	if total.Sign() == 0 {
		return 0, worst
	}
	// Rounded half up: 0.5 days late on average is a day late.
	weighted.Mul(&weighted, big.NewInt(2)).Add(&weighted, &total)
	return int(weighted.Div(&weighted, total.Mul(&total, big.NewInt(2))).Int64()), worst
}

// Score reviews a payment record against the bands of the pre-approval
// scorecard.
func (p PeriodicReview) Score(r ReviewRecord, bands []Band) ReviewScore {
	var reasons []string
	add := func(points int, format string, args ...any) int {
		reasons = append(reasons, fmt.Sprintf(format, args...)+fmt.Sprintf(": %+d points", points))
		return points
	}
	total := add(p.StartPoints, "a clean record since %s", r.Since.UTC().Format(time.DateOnly))
	adverse := 0

	average, worst := r.DaysBeyondTerms()
	late := 0
	for _, b := range p.DaysBeyondTerms {
		if average >= b.AtLeast {
			late = b.Points
			break
		}
	}
	switch {
	case len(r.Invoices) == 0:
		late = add(0, "no invoice fell due in the period")
	case worst == 0:
		late = add(late, "%s due in the period, all paid within terms", plural(len(r.Invoices), "invoice"))
	default:
		late = add(late, "%s beyond terms on average over %s due in the period (worst %s)",
			plural(average, "day"), plural(len(r.Invoices), "invoice"), plural(worst, "day"))
	}
	adverse += late
	adverse += add(perEvent(p.BrokenPromise, r.BrokenPromises), "%s to pay", plural(r.BrokenPromises, "broken promise"))
	adverse += add(perEvent(p.Dispute, r.Disputes), "%s opened", plural(r.Disputes, "dispute"))
	adverse += add(perEvent(p.Hold, r.Holds), "%s in the period", plural(r.Holds, "credit hold"))
	overLimit := 0
	if r.Exposure.Minor > r.CreditLimit.Minor {
		overLimit = p.OverLimitPoints
	}
	adverse += add(overLimit, "exposure %s against a limit of %s (%s used)",
		r.Exposure.Display(), r.CreditLimit.Display(), percentOf(r.Exposure, r.CreditLimit))
	total += adverse

	band := bands[len(bands)-1]
	for _, b := range bands {
		if total >= b.MinScore {
			band = b
			break
		}
	}

	// The last reason says what the reviewer is advised to do, and whether
	// anybody needs to.
	limit := r.CreditLimit
	rec, recommended, outcome, why := RecommendKeep, limit, OutcomeReview, ""
	used := r.CreditLimit.Minor > 0 && r.Exposure.Minor*100 >= r.CreditLimit.Minor*int64(p.RaiseWhenUsedPercent)
	switch {
	case slices.Contains(p.HoldBands, band.Name):
		rec, why = RecommendHold, "recommend a credit hold: band "+band.Name+": a person decides"
	case slices.Contains(p.LowerBands, band.Name):
		rec, recommended = RecommendLower, percentOfLimit(limit, p.LowerToPercent)
		why = fmt.Sprintf("recommend lowering the limit to %s (%d%% of %s): band %s: a person decides",
			recommended.Display(), p.LowerToPercent, limit.Display(), band.Name)
		if recommended.Minor < r.Exposure.Minor {
			why += "; below the exposure, the account would go on hold"
		}
	case slices.Contains(p.RaiseBands, band.Name) && adverse == 0 && used:
		rec, recommended = RecommendRaise, percentOfLimit(limit, p.RaiseToPercent)
		why = fmt.Sprintf("recommend raising the limit to %s (%d%% of %s): band %s, nothing adverse and %s of the limit used: a person decides",
			recommended.Display(), p.RaiseToPercent, limit.Display(), band.Name, percentOf(r.Exposure, r.CreditLimit))
	case slices.Contains(p.AutoKeepBands, band.Name) && adverse == 0:
		outcome = OutcomeApprove
		why = "limit kept automatically: band " + band.Name + " and nothing adverse in the period"
	case adverse != 0:
		why = "recommend keeping the limit: band " + band.Name + ", with adverse items in the period: a person decides"
	default:
		why = "recommend keeping the limit: band " + band.Name + ": a person decides"
	}
	reasons = append(reasons, why)
	return ReviewScore{
		Score:          Score{Points: total, Band: band.Name, Reasons: reasons, RecommendedLimit: recommended, Outcome: outcome},
		Recommendation: rec,
	}
}

func perEvent(e PerEvent, n int) int { return max(e.Points*n, e.Floor) }

// percentOfLimit is percent of a limit in whole currency units, rounded
// down: credit limits are round numbers.
func percentOfLimit(limit money.Money, percent int) money.Money {
	unit := int64(1)
	for range money.Exponent(limit.Currency) {
		unit *= 10
	}
	v := new(big.Int).Mul(big.NewInt(limit.Minor), big.NewInt(int64(percent)))
	v.Div(v, big.NewInt(100*unit))
	return money.New(v.Int64()*unit, limit.Currency)
}
