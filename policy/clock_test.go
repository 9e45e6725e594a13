package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPolicyDayIsFlooredBeforeAndAfterDayZero(t *testing.T) {
	zero := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	c := Clock{DayZero: zero, Day: 24 * time.Hour}
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{zero, 0},
		{zero.Add(23 * time.Hour), 0},
		{zero.Add(24 * time.Hour), 1},
		{zero.Add(-time.Minute), -1},
		{zero.Add(-24 * time.Hour), -1},
		{zero.Add(-25 * time.Hour), -2},
		{zero.Add(31*24*time.Hour + time.Hour), 31},
	} {
		require.Equal(t, tc.want, c.DayAt(tc.at), "at %s", tc.at)
	}
	require.Zero(t, Clock{DayZero: zero}.DayAt(zero.Add(100*time.Hour)), "a clock without a day length stays at day 0")
}

func TestCompressedDayCountsSecondsAsDays(t *testing.T) {
	zero := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Clock{DayZero: zero, Day: 2 * time.Second}
	require.Equal(t, 40, c.DayAt(zero.Add(80*time.Second)))
	issued := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	require.Equal(t, "2025-04-10", c.DateAt(issued, zero.Add(80*time.Second)).Format(time.DateOnly))
}

func TestEndOfDateLastsThroughTheDate(t *testing.T) {
	zero := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	issued := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Clock{DayZero: zero, Day: 24 * time.Hour}
	end := c.EndOfDate(issued, time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC))
	require.Equal(t, zero.Add(5*24*time.Hour), end, "day 4 (Jan 5) ends where day 5 starts")
	require.Equal(t, 4, c.DayAt(end.Add(-time.Nanosecond)))
}

func TestDaysOverdueCountsCalendarDaysAfterTheDueDate(t *testing.T) {
	due := time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		today string
		want  int
	}{
		{"2025-01-01", 0}, {"2025-01-31", 0}, {"2025-02-01", 1}, {"2025-03-02", 30},
	} {
		require.Equal(t, tc.want, DaysOverdue(due, ParseDate(tc.today)), tc.today)
	}
}

func TestACustomerEmailsDateIsItsPlannedDayOrTodayWhenLate(t *testing.T) {
	issued := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Clock{DayZero: time.Date(2025, 1, 1, 15, 0, 0, 0, time.UTC), Day: 24 * time.Hour}
	nine := time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC) // day 31's send hour, before the clock's day 31 begins at 15:00
	require.Equal(t, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), c.SendDate(issued, 31, nine, nine), "on its day: its planned date")
	require.Equal(t, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), c.SendDate(issued, 31, nine, nine.Add(3*time.Hour)), "a worker hours behind: still its date")
	late := nine.Add(50 * time.Hour)
	require.Equal(t, c.DateAt(issued, late), c.SendDate(issued, 31, nine, late), "days late (an import catching up): today")
}

func TestTheCustomerEmailWindowIsThePolicysAtMostATenthOfADay(t *testing.T) {
	require.Equal(t, 10*time.Minute, CustomerEmailWindow(0, 24*time.Hour), "plans from before the policy had one")
	require.Equal(t, 5*time.Second, CustomerEmailWindow(5*time.Second, 24*time.Hour))
	require.Equal(t, 1500*time.Millisecond, CustomerEmailWindow(10*time.Minute, 15*time.Second))
}
