package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPausesMoveStepsByWholeDaysCountingOverlapsOnce(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	day := 24 * time.Hour
	for _, tc := range []struct {
		name   string
		pauses []Pause
		now    time.Time
		want   time.Duration
	}{
		{"no pause", nil, h(100), 0},
		{"a few hours count as a day", []Pause{{From: h(0), Until: h(5)}}, h(100), day},
		{"exactly two days", []Pause{{From: h(0), Until: h(48)}}, h(100), 2 * day},
		{"an open pause runs until now", []Pause{{From: h(0)}}, h(30), 2 * day},
		{"a pause not over yet counts until now", []Pause{{From: h(0), Until: h(200)}}, h(24), day},
		{"overlapping pauses count once", []Pause{{From: h(0), Until: h(30)}, {From: h(10), Until: h(40)}}, h(100), 2 * day},
		{"a pause inside another adds nothing", []Pause{{From: h(0), Until: h(48)}, {From: h(5), Until: h(10)}}, h(100), 2 * day},
		{"separate pauses add up", []Pause{{From: h(0), Until: h(12)}, {From: h(50), Until: h(62)}}, h(100), day},
	} {
		require.Equal(t, tc.want, PausedFor(tc.pauses, tc.now, day), tc.name)
	}
	require.Equal(t, 5*time.Hour, PausedFor([]Pause{{From: h(0), Until: h(5)}}, h(10), 0), "without a day length: the raw time")
}

func TestPauseHoldsFromItsStartUntilItsEnd(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	p := Pause{From: t0, Until: t0.Add(time.Hour)}
	require.False(t, p.Holds(t0.Add(-time.Second)))
	require.True(t, p.Holds(t0))
	require.False(t, p.Holds(t0.Add(time.Hour)))
	require.True(t, Pause{From: t0}.Holds(t0.AddDate(1, 0, 0)), "an open pause holds until resumed")
}
