package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDigestWeekIsTheISOWeekInTheDigestsZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	// Monday 2025-01-06 07:00 in Berlin is 06:00 UTC.
	monday := time.Date(2025, 1, 6, 6, 0, 0, 0, time.UTC)
	w := WeekOf(monday, berlin, 24*time.Hour)
	require.Equal(t, "2025-W02", w.Period)
	require.Equal(t, "2025-01-06", w.Today.Format(time.DateOnly))
	require.Equal(t, "2025-01-12", w.DueUntil.Format(time.DateOnly), "promises falling due through Sunday")
	require.Equal(t, monday.AddDate(0, 0, -7), w.DecidedFrom)

	// A manual run on Sunday evening in Berlin is still week 2 there,
	// though it is Monday (week 3) in Tokyo.
	sunday := time.Date(2025, 1, 12, 20, 0, 0, 0, time.UTC)
	require.Equal(t, "2025-W02", WeekOf(sunday, berlin, 24*time.Hour).Period)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	require.Equal(t, "2025-W03", WeekOf(sunday, tokyo, 24*time.Hour).Period)
	// ISO weeks cross years: 2024-12-30 is in 2025-W01.
	require.Equal(t, "2025-W01", WeekOf(time.Date(2024, 12, 30, 7, 0, 0, 0, time.UTC), time.UTC, 24*time.Hour).Period)
}

func TestACompressedWeekIsSevenPolicyDays(t *testing.T) {
	day := time.Second
	start := time.Unix(700, 0) // 700 = 100 × 7: a stretch begins
	w := WeekOf(start, time.UTC, day)
	require.Equal(t, "1s-week-100", w.Period)
	require.Equal(t, w.Period, WeekOf(start.Add(6999*time.Millisecond), time.UTC, day).Period)
	require.Equal(t, "1s-week-101", WeekOf(start.Add(7*time.Second), time.UTC, day).Period)
	require.Equal(t, start.Add(-7*time.Second), w.DecidedFrom)
}
