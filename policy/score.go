package policy

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/creditflow/creditflow/money"
)

// Automatic outcomes of scoring.
const (
	OutcomeApprove = "approve"
	OutcomeDecline = "decline"
	OutcomeReview  = "review"
)

// Applicant is what the scorecard looks at.
type Applicant struct {
	YearsInBusiness int
	AnnualRevenue   money.Money
	TradeReferences int
	Requested       money.Money
	// LongOverdueInvoices counts the account's invoices past
	// OverdueDaysLoweringBand; only a limit increase has any.
	LongOverdueInvoices int
}

// Score is the scorecard's verdict with the reasons a sales rep is shown.
type Score struct {
	Points           int         `json:"score"`
	Band             string      `json:"band"`
	Reasons          []string    `json:"reasons"`
	RecommendedLimit money.Money `json:"recommended_limit"`
	Outcome          string      `json:"outcome"`
}

// Score applies the scorecard to an applicant.
func (s Scoring) Score(a Applicant) Score {
	var reasons []string
	add := func(points int, format string, args ...any) int {
		reasons = append(reasons, fmt.Sprintf(format, args...)+fmt.Sprintf(": %+d points", points))
		return points
	}
	total := 0

	years := 0
	for _, b := range s.YearsInBusiness {
		if a.YearsInBusiness >= b.AtLeast {
			years = b.Points
			break
		}
	}
	total += add(years, "%s in business", plural(a.YearsInBusiness, "year"))

	revenue := 0
	for _, b := range s.AnnualRevenue {
		if compareMajor(a.AnnualRevenue, b.AtLeast) >= 0 {
			revenue = b.Points
			break
		}
	}
	total += add(revenue, "annual revenue %s", a.AnnualRevenue.Display())

	ratio := 0
	for _, b := range s.LimitToRevenue {
		// requested <= revenue * percent / 100, in integers.
		lhs := new(big.Int).Mul(big.NewInt(a.Requested.Minor), big.NewInt(100))
		rhs := new(big.Int).Mul(big.NewInt(a.AnnualRevenue.Minor), big.NewInt(int64(b.MaxPercent)))
		if a.AnnualRevenue.Minor > 0 && lhs.Cmp(rhs) <= 0 {
			ratio = b.Points
			break
		}
	}
	total += add(ratio, "requested limit is %s of annual revenue", percentOf(a.Requested, a.AnnualRevenue))

	refs := min(a.TradeReferences*s.TradeReferencePoints, s.TradeReferenceCap)
	total += add(refs, "%s", plural(a.TradeReferences, "trade reference"))

	band := len(s.Bands) - 1
	for i, b := range s.Bands {
		if total >= b.MinScore {
			band = i
			break
		}
	}
	if a.LongOverdueInvoices > 0 && band < len(s.Bands)-1 {
		band++
		reasons = append(reasons, fmt.Sprintf("%s more than %d days overdue: band lowered to %s",
			plural(a.LongOverdueInvoices, "invoice"), s.OverdueDaysLoweringBand, s.Bands[band].Name))
	}
	b := s.Bands[band]
	recommended := money.New(a.AnnualRevenue.Minor/100*int64(b.RecommendedPercent), a.Requested.Currency)

	// The last reason says why the outcome is what it is.
	ceiling := money.FromMajor(s.AutoApproveMax, a.Requested.Currency)
	outcome, why := OutcomeReview, ""
	switch {
	case slices.Contains(s.AutoDeclineBands, b.Name):
		outcome, why = OutcomeDecline, "declined automatically: band "+b.Name
	case !slices.Contains(s.AutoApproveBands, b.Name):
		why = "band " + b.Name + ": a person decides"
	case a.LongOverdueInvoices > 0:
		why = "an invoice is long overdue: a person decides"
	case a.Requested.Minor > ceiling.Minor:
		why = "above the " + ceiling.Display() + " ceiling for automatic approval: a person decides"
	case a.Requested.Minor > recommended.Minor:
		why = "above the recommended limit of " + recommended.Display() + ": a person decides"
	default:
		outcome = OutcomeApprove
		why = fmt.Sprintf("approved automatically: band %s, within the recommended limit and the %s ceiling", b.Name, ceiling.Display())
	}
	reasons = append(reasons, why)
	return Score{Points: total, Band: b.Name, Reasons: reasons, RecommendedLimit: recommended, Outcome: outcome}
}

// plural counts a noun: "1 trade reference", "2 trade references".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// compareMajor compares an amount with a decimal threshold in whole units,
// exactly: thresholds such as "10000000.001" mean "more than ten million".
func compareMajor(m money.Money, threshold string) int {
	t, ok := new(big.Rat).SetString(threshold)
	if !ok {
		return -1
	}
	v := new(big.Rat).SetFrac(big.NewInt(m.Minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(money.Exponent(m.Currency))), nil))
	return v.Cmp(t)
}

func percentOf(part, whole money.Money) string {
	if whole.Minor == 0 {
		return "an unknown share"
	}
	bp := new(big.Int).Div(new(big.Int).Mul(big.NewInt(part.Minor), big.NewInt(10000)), big.NewInt(whole.Minor)).Int64()
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}
