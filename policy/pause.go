package policy

import (
	"time"
)

// Pause is a stretch of time during which dunning steps do not fall due.
// A zero Until is open: it lasts until it is resumed (a dispute).
type Pause struct {
	From, Until time.Time
}

// PausedFor is how long the pauses have held a step by now, counting
// overlapping pauses once, rounded up to whole policy days so that a
// customer email planned for 09:00 still goes out at 09:00. The pauses
// are in the order they started.
func PausedFor(pauses []Pause, now time.Time, day time.Duration) time.Duration {
	var paused time.Duration
	var coveredUntil time.Time
	for _, p := range pauses {
		from, until := p.From, p.Until
		if until.IsZero() || until.After(now) {
			until = now
		}
		if from.Before(coveredUntil) {
			from = coveredUntil
		}
		if until.After(from) {
			paused += until.Sub(from)
			coveredUntil = until
		}
	}
	if day <= 0 || paused == 0 {
		return paused
	}
	days := paused / day
	if paused%day != 0 {
		days++
	}
	return days * day
}

// Holds reports whether the pause holds steps at now.
func (p Pause) Holds(now time.Time) bool {
	return !p.From.After(now) && (p.Until.IsZero() || now.Before(p.Until))
}
