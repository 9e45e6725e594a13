package policy

import (
	"fmt"
	"time"
)

// Digest is what the weekly digest calls a high-risk account, and how
// long its lists are.
type Digest struct {
	HighRiskBands       []string `yaml:"high_risk_bands" json:"high_risk_bands"`
	HighRiskSegments    []string `yaml:"high_risk_segments" json:"high_risk_segments"`
	HighRiskOverdueDays int      `yaml:"high_risk_overdue_days" json:"high_risk_overdue_days"`
	MostOverdueAccounts int      `yaml:"most_overdue_accounts" json:"most_overdue_accounts"`
	ItemsPerList        int      `yaml:"items_per_list" json:"items_per_list"`
}

// DigestWeek is the week a weekly digest reports on, seen from the moment
// it runs (at): its period names the outbox keys, so one person gets one
// digest per period however often it runs.
type DigestWeek struct {
	// Period is the ISO week in the digest's zone ("2025-W03"); with a
	// policy day shorter than 24h, the number of the 7-day stretch since
	// the Unix epoch with the day length ("2s-week-123456").
	Period string
	// DecidedFrom: the week's decisions are those from here to at.
	DecidedFrom time.Time
	// Today and DueUntil bound the promises falling due this week, both
	// dates included.
	Today, DueUntil time.Time
}

// WeekOf is the digest week of the moment at, in zone loc, with policy
// days of length day.
func WeekOf(at time.Time, loc *time.Location, day time.Duration) DigestWeek {
	local := at.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	w := DigestWeek{DecidedFrom: at.Add(-7 * day), Today: today, DueUntil: today.AddDate(0, 0, 6)}
	if day < 24*time.Hour {
		// The schedule fires every 7 policy days from the epoch: a
		// stretch is one period, whatever the zone.
		w.Period = fmt.Sprintf("%s-week-%d", day, at.UnixNano()/int64(7*day))
		return w
	}
	year, week := local.ISOWeek()
	w.Period = fmt.Sprintf("%d-W%02d", year, week)
	return w
}
