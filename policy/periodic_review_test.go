package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var lastReview = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// record is an account with a 20,000 limit: exposure and what happened
// in the period.
func record(exposure string, invoices ...InvoiceLateness) ReviewRecord {
	return ReviewRecord{Since: lastReview, Invoices: invoices, CreditLimit: eur("20000"), Exposure: eur(exposure)}
}

func TestPeriodicReviewScorecard(t *testing.T) {
	p := Default().PeriodicReview
	bands := Default().Scoring.Bands
	onTime := InvoiceLateness{Amount: 500000, DaysLate: 0}
	cases := []struct {
		name           string
		record         ReviewRecord
		points         int
		band           string
		outcome        string
		recommendation string
		limit          string
	}{
		{"nothing happened: kept without a person", record("0"), 100, "A", OutcomeApprove, RecommendKeep, "20000.00"},
		{"paid on time, little used: kept", record("5000", onTime, onTime), 100, "A", OutcomeApprove, RecommendKeep, "20000.00"},
		{"paid on time, 80% used: a raise is offered to a person", record("16000", onTime), 100, "A", OutcomeReview, RecommendRaise, "25000.00"},
		{"79.99% used is not enough for a raise: kept", record("15999.99", onTime), 100, "A", OutcomeApprove, RecommendKeep, "20000.00"},
		{"a few days late: band A, but a person looks", record("0", InvoiceLateness{100000, 3}), 95, "A", OutcomeReview, RecommendKeep, "20000.00"},
		{"one dispute", ReviewRecord{Since: lastReview, Disputes: 1, CreditLimit: eur("20000"), Exposure: eur("0")}, 95, "A", OutcomeReview, RecommendKeep, "20000.00"},
		{"disputes stop at their floor", ReviewRecord{Since: lastReview, Disputes: 7, CreditLimit: eur("20000"), Exposure: eur("0")}, 85, "A", OutcomeReview, RecommendKeep, "20000.00"},
		{"two broken promises and 20 days late: band C", ReviewRecord{Since: lastReview, BrokenPromises: 2,
			Invoices: []InvoiceLateness{{100000, 20}}, CreditLimit: eur("20000"), Exposure: eur("1000")}, 60, "C", OutcomeReview, RecommendKeep, "20000.00"},
		{"45 days late and a hold: band C, a person decides", ReviewRecord{Since: lastReview, Holds: 1,
			Invoices: []InvoiceLateness{{100000, 45}}, CreditLimit: eur("20000"), Exposure: eur("1000")}, 50, "C", OutcomeReview, RecommendKeep, "20000.00"},
		{"45 days late, a hold and a broken promise: band D", ReviewRecord{Since: lastReview, Holds: 1, BrokenPromises: 1,
			Invoices: []InvoiceLateness{{100000, 45}}, CreditLimit: eur("20000"), Exposure: eur("1000")}, 40, "D", OutcomeReview, RecommendLower, "10000.00"},
		{"over the limit and 70 days late: band E, hold", record("25000", InvoiceLateness{100000, 70}), 25, "E", OutcomeReview, RecommendHold, "20000.00"},
		{"everything at once bottoms out", ReviewRecord{Since: lastReview, Holds: 5, BrokenPromises: 5, Disputes: 5,
			Invoices: []InvoiceLateness{{100000, 90}}, CreditLimit: eur("20000"), Exposure: eur("30000")}, 100 - 50 - 30 - 15 - 30 - 25, "E", OutcomeReview, RecommendHold, "20000.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := p.Score(c.record, bands)
			require.Equal(t, c.points, s.Points, s.Reasons)
			require.Equal(t, c.band, s.Band)
			require.Equal(t, c.outcome, s.Outcome)
			require.Equal(t, c.recommendation, s.Recommendation)
			require.Equal(t, c.limit, s.RecommendedLimit.String())
			require.Len(t, s.Reasons, 7, "the clean start, five inputs, and what to do")
		})
	}
}

func TestPeriodicReviewReasonsNameWhatGaveWhichPoints(t *testing.T) {
	p := Default().PeriodicReview
	s := p.Score(ReviewRecord{
		Since: lastReview, BrokenPromises: 1, Disputes: 2, Holds: 1,
		// 10,000 paid 10 days late and 30,000 paid 30 days late: 25 days on average.
		Invoices:    []InvoiceLateness{{1000000, 10}, {3000000, 30}},
		CreditLimit: eur("20000"), Exposure: eur("21000"),
	}, Default().Scoring.Bands)
	require.Equal(t, []string{
		"a clean record since 2025-03-01: +100 points",
		"25 days beyond terms on average over 2 invoices due in the period (worst 30 days): -20 points",
		"1 broken promise to pay: -10 points",
		"2 disputes opened: -10 points",
		"1 credit hold in the period: -15 points",
		"exposure EUR 21,000.00 against a limit of EUR 20,000.00 (105.00% used): -25 points",
		"recommend a credit hold: band E: a person decides",
	}, s.Reasons)

	lower := p.Score(ReviewRecord{Since: lastReview, Holds: 2, BrokenPromises: 1, Invoices: []InvoiceLateness{{100000, 20}},
		CreditLimit: eur("20000"), Exposure: eur("15000")}, Default().Scoring.Bands)
	require.Equal(t, "D", lower.Band)
	require.Equal(t, "recommend lowering the limit to EUR 10,000.00 (50% of EUR 20,000.00): band D: a person decides; below the exposure, the account would go on hold",
		lower.Reasons[len(lower.Reasons)-1])

	kept := p.Score(record("0", InvoiceLateness{100000, 0}), Default().Scoring.Bands)
	require.Equal(t, "1 invoice due in the period, all paid within terms: +0 points", kept.Reasons[1])
	require.Equal(t, "limit kept automatically: band A and nothing adverse in the period", kept.Reasons[6])
}

func TestDaysBeyondTermsIsWeightedByAmount(t *testing.T) {
	for _, c := range []struct {
		invoices       []InvoiceLateness
		average, worst int
	}{
		{nil, 0, 0},
		{[]InvoiceLateness{{100, 0}, {100, 0}}, 0, 0},
		{[]InvoiceLateness{{100, 10}, {300, 0}}, 3, 10}, // 2.5 rounds up
		{[]InvoiceLateness{{100, 10}, {400, 0}}, 2, 10},
		{[]InvoiceLateness{{1, 90}, {999999, 0}}, 0, 90}, // a small invoice very late weighs little
	} {
		avg, worst := ReviewRecord{Invoices: c.invoices}.DaysBeyondTerms()
		require.Equal(t, c.average, avg, c.invoices)
		require.Equal(t, c.worst, worst, c.invoices)
	}
}

func TestReviewIntervalsByBand(t *testing.T) {
	p := Default().PeriodicReview
	day := 24 * time.Hour
	for band, days := range map[string]int{"A": 365, "B": 180, "C": 90, "D": 30, "E": 30, "": 30} {
		require.Equal(t, lastReview.AddDate(0, 0, days), p.DueAt(band, lastReview, day), "band %q", band)
	}
	require.Equal(t, int64(20148), DayNumber(lastReview, day), "2025-03-01 is day 20148 since the epoch")
	require.Equal(t, int64(-1), DayNumber(time.Unix(-1, 0), day), "floored before the epoch")

	bad := Default()
	delete(bad.PeriodicReview.ReviewEveryDays, "C")
	require.ErrorContains(t, bad.Validate(), "periodic_review.review_every_days.C")
}
