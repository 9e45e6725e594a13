package policy

import "time"

// PlannedStep is a dunning step laid on an invoice's policy clock, with
// the instant it falls due before any pause moves it.
type PlannedStep struct {
	Day    int       // relative to the due date
	Action string    // the policy's action
	Label  string    // what the API shows: second_reminder, credit_hold…
	At     time.Time // when it falls due
}

// Plan is how one invoice is followed up: its segment's steps on its
// policy clock.
type Plan struct {
	Segment string
	Clock   Clock
	// DueDay is the due date's policy day (net-30: 30).
	DueDay            int
	Steps             []PlannedStep
	EscalationAckDays int
	MaxPauseDays      int
	MaxPromiseDays    int
	// CustomerEmailWindow is how long the account's email of a day waits
	// for its other steps (CustomerEmailWindow).
	CustomerEmailWindow time.Duration
}

// Plan lays a segment's steps out on an invoice's policy days. Day n is
// day zero + n×day, day zero being now minus the invoice's age in days
// (today in the account's time zone − the issue date). With the 24h day,
// customer-facing steps go out at CustomerSendHour in loc on their
// calendar day, never in the middle of the night.
func (d Dunning) Plan(segment string, issueDate, dueDate, now time.Time, loc *time.Location, day time.Duration) Plan {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	age := Days(issueDate, today)
	plan := Plan{
		Segment:           segment,
		Clock:             Clock{DayZero: now.Add(-time.Duration(age) * day), Day: day},
		DueDay:            Days(issueDate, dueDate),
		EscalationAckDays: d.EscalationAckDays,
		MaxPauseDays:      d.MaxPauseDays,
		MaxPromiseDays:    d.MaxPromiseDays,

		CustomerEmailWindow: time.Duration(d.CustomerEmailWindowSeconds) * time.Second,
	}
	reminders := 0
	for _, s := range d.Segments[segment] {
		n := plan.DueDay + s.Day
		p := PlannedStep{Day: s.Day, Action: s.Action, Label: s.Action, At: plan.Clock.DayZero.Add(time.Duration(n) * day)}
		switch s.Action {
		case ActionReminder:
			if reminders++; reminders > 1 {
				p.Label = "second_reminder"
			}
		case ActionHold:
			p.Label = "credit_hold"
		}
		if day == 24*time.Hour && s.CustomerFacing() {
			date := issueDate.AddDate(0, 0, n)
			p.At = time.Date(date.Year(), date.Month(), date.Day(), d.CustomerSendHour, 0, 0, 0, loc)
		}
		plan.Steps = append(plan.Steps, p)
	}
	return plan
}

// IsCustomerFacing reports whether a policy action writes to the customer.
func IsCustomerFacing(action string) bool {
	return action == ActionCourtesyNotice || action == ActionReminder || action == ActionFinalNotice
}
