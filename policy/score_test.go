package policy

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/money"
)

func eur(s string) money.Money {
	m, err := money.Parse(s, "EUR")
	if err != nil {
		panic(err)
	}
	return m
}

func TestScorecardBandsAndOutcomes(t *testing.T) {
	card := Default().Scoring
	cases := []struct {
		name      string
		applicant Applicant
		points    int
		band      string
		outcome   string
	}{
		{"strong prospect asking little", Applicant{12, eur("20000000"), 3, eur("20000"), 0}, 35 + 25 + 25 + 15, "A", OutcomeApprove},
		{"strong prospect asking above auto cap", Applicant{12, eur("20000000"), 3, eur("30000"), 0}, 100, "A", OutcomeReview},
		{"exactly ten million is the 20-point bracket", Applicant{6, eur("10000000"), 2, eur("200000"), 0}, 30 + 20 + 25 + 10, "A", OutcomeReview},
		{"new tiny business", Applicant{0, eur("50000"), 0, eur("20000"), 0}, 0, "E", OutcomeDecline},
		{"middling", Applicant{4, eur("500000"), 1, eur("20000"), 0}, 20 + 10 + 15 + 5, "C", OutcomeReview},
		{"weak", Applicant{2, eur("500000"), 1, eur("40000"), 0}, 10 + 10 + 5 + 5, "E", OutcomeDecline},
		{"overdue invoices lower the band and stop automatic approval", Applicant{12, eur("20000000"), 3, eur("20000"), 1}, 100, "B", OutcomeReview},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := card.Score(c.applicant)
			require.Equal(t, c.points, s.Points)
			require.Equal(t, c.band, s.Band)
			require.Equal(t, c.outcome, s.Outcome)
			require.GreaterOrEqual(t, len(s.Reasons), 4)
		})
	}
}

func TestTheLastReasonSaysWhyTheOutcome(t *testing.T) {
	card := Default().Scoring
	for _, c := range []struct {
		applicant Applicant
		why       string
	}{
		{Applicant{12, eur("20000000"), 3, eur("20000"), 0}, "approved automatically: band A, within the recommended limit and the EUR 25,000.00 ceiling"},
		{Applicant{7, eur("2500000"), 2, eur("50000"), 0}, "above the EUR 25,000.00 ceiling for automatic approval: a person decides"},
		{Applicant{12, eur("300000"), 3, eur("24000"), 0}, "above the recommended limit of EUR 21,000.00: a person decides"},
		{Applicant{4, eur("500000"), 1, eur("20000"), 0}, "band C: a person decides"},
		{Applicant{0, eur("50000"), 0, eur("20000"), 0}, "declined automatically: band E"},
		{Applicant{12, eur("20000000"), 3, eur("20000"), 1}, "an invoice is long overdue: a person decides"},
	} {
		s := card.Score(c.applicant)
		require.Equal(t, c.why, s.Reasons[len(s.Reasons)-1], "%+v", c.applicant)
	}
}

func TestReasonsCountInGoodEnglish(t *testing.T) {
	s := Default().Scoring.Score(Applicant{1, eur("500000"), 1, eur("20000"), 0})
	require.Contains(t, s.Reasons, "1 year in business: +10 points")
	require.Contains(t, s.Reasons, "1 trade reference: +5 points")
}

func TestRecommendedLimitIsBandShareOfRevenue(t *testing.T) {
	s := Default().Scoring.Score(Applicant{12, eur("20000000"), 3, eur("20000"), 0})
	require.Equal(t, "2000000.00", s.RecommendedLimit.String())
}

func TestLoadOverridesOnlyWhatTheFileSays(t *testing.T) {
	path := t.TempDir() + "/policy.yaml"
	require.NoError(t, os.WriteFile(path, []byte("review:\n  reminder_after_days: 1\n  escalate_after_days: 2\n  expire_after_days: 10\n"), 0o600))
	p, err := Load(path)
	require.NoError(t, err)
	require.Equal(t, 1, p.Review.ReminderAfterDays)
	require.Equal(t, 3, len(p.Dunning.Segments[SegmentPrompt]))

	require.NoError(t, os.WriteFile(path, []byte("review:\n  reminder_after_days: 5\n  escalate_after_days: 2\n"), 0o600))
	_, err = Load(path)
	require.Error(t, err)
}
