package policy

import "time"

// Clock is an invoice's policy clock: policy day n starts at DayZero + n×Day.
// With CREDITFLOW_DAY=24h a policy day is a calendar day; a shorter day
// compresses the whole dunning cycle for demos and end-to-end tests.
type Clock struct {
	DayZero time.Time
	Day     time.Duration
}

// DayAt is the policy day at now: whole days since day zero, floored, so
// negative before it. A clock without a day length is always at day 0.
func (c Clock) DayAt(now time.Time) int {
	if c.Day <= 0 {
		return 0
	}
	since := now.Sub(c.DayZero)
	n := int(since / c.Day)
	if since%c.Day < 0 {
		n-- // floor, not truncation, before day zero
	}
	return n
}

// DateAt is the calendar date at now on this clock, for an invoice issued
// on issueDate (day zero).
func (c Clock) DateAt(issueDate, now time.Time) time.Time {
	return issueDate.AddDate(0, 0, c.DayAt(now))
}

// EndOfDate is the instant a calendar date ends on this clock: a promise
// or a pause "until D" lasts through D.
func (c Clock) EndOfDate(issueDate, date time.Time) time.Time {
	return c.DayZero.Add(time.Duration(Days(issueDate, date)+1) * c.Day)
}

// Days counts the calendar days from date a to date b (both at midnight).
func Days(a, b time.Time) int { return int(b.Sub(a).Round(time.Hour).Hours() / 24) }

// ParseDate reads a YYYY-MM-DD date; invalid dates are the zero time,
// which callers validate earlier.
func ParseDate(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// DaysOverdue is how many calendar days past its due date an unpaid
// invoice is on date today (0 before or on the due date).
func DaysOverdue(dueDate, today time.Time) int {
	return max(0, int(today.Sub(dueDate).Hours()/24))
}

// SendDate is the customer's calendar date of a customer email planned
// for policy day n (after the days pauses moved it), due at due and going
// out at now: its planned date when it goes out within its day, today
// when it goes out later (an invoice imported late catches up today).
// An account's emails of one date go out as one.
func (c Clock) SendDate(issueDate time.Time, n int, due, now time.Time) time.Time {
	if c.Day > 0 && now.Sub(due) >= c.Day {
		return c.DateAt(issueDate, now)
	}
	return issueDate.AddDate(0, 0, n)
}

// DefaultCustomerEmailWindow is the policy's customer_email_window_seconds
// by default, and the window of the plans made before it was one.
const DefaultCustomerEmailWindow = 10 * time.Minute

// CustomerEmailWindow is how long an account's email of the day waits for
// the day's other steps, a window at a time while they keep arriving:
// the policy's window on a real day, whose customer steps all fall at
// the send hour (a batch of thousands takes a minute or two to fall), at
// most a tenth of a shorter one, so that a demo's day still sends within
// it. Zero (a plan from before it was in the policy): the default.
func CustomerEmailWindow(window, day time.Duration) time.Duration {
	if window <= 0 {
		window = DefaultCustomerEmailWindow
	}
	return min(window, day/10)
}
