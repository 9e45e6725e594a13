package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
)

// conditionsHeld is the change that keeps an approval with conditions
// waiting for them (GetVersion 1). Requests approved before it ended
// with the approval; their conditions stay words in an email.
const conditionsHeld = "conditions-held"

// Default waits for conditions, for requests scored before the policy
// named them.
const (
	defaultConditionsReminderDays = 7
	defaultConditionsLapseDays    = 60
)

// openConditions are a decision's conditions as the approval starts with
// them: pending, but for shorter terms, which credit sets itself with the
// approval (the account's payment terms) and so are met at once.
func openConditions(cs []Condition, at time.Time) []Condition {
	out := make([]Condition, len(cs))
	for k, c := range cs {
		c.Status = ConditionPending
		if c.Type == ConditionShorterTerms {
			c.Status, c.ResolvedBy, c.ResolvedAt = ConditionMet, "creditflow", &at
			c.Note = "the account's payment terms are set with the approval"
		}
		out[k] = c
	}
	return out
}

func (cr *creditRequest) pending() []Condition { return cr.conditionsIn(ConditionPending) }

func (cr *creditRequest) pendingConditions() int { return len(cr.pending()) }

func (cr *creditRequest) lapsed() []Condition { return cr.conditionsIn(ConditionLapsed) }

// conditionsIn lists the approval's conditions with this status.
func (cr *creditRequest) conditionsIn(status string) []Condition {
	if cr.Decision == nil {
		return nil
	}
	var out []Condition
	for _, c := range cr.Decision.Conditions {
		if c.Status == status {
			out = append(out, c)
		}
	}
	return out
}

// conditionsPolicy is how often the rep is reminded of pending
// conditions and when the approval lapses, in policy days.
func (cr *creditRequest) conditionsPolicy() (every, lapse int) {
	every, lapse = cr.assessment.Review.ConditionsReminderDays, cr.assessment.Review.ConditionsLapseDays
	if every <= 0 || lapse <= 0 {
		return defaultConditionsReminderDays, defaultConditionsLapseDays
	}
	return every, lapse
}

// awaitConditions holds an approval with conditions until credit has all
// it asked for: the rep who asked is reminded of what is missing every
// few policy days from since (reminder emails keyed by step and their
// number), and the approval lapses if a condition is still pending at the
// end.
func (cr *creditRequest) awaitConditions(ctx workflow.Context, since time.Time, step string) error {
	every, lapse := cr.conditionsPolicy()
	day := cr.assessment.Day
	lapseAt := since.Add(time.Duration(lapse) * day)
	for k := 1; ; k++ {
		next := since.Add(time.Duration(k*every) * day)
		if next.After(lapseAt) {
			next = lapseAt
		}
		settled, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      next.Sub(workflow.Now(ctx)),
			TimerOptions: workflow.TimerOptions{Summary: "conditions pending"},
		}, func() bool { return cr.pendingConditions() == 0 })
		if err != nil || settled {
			return err
		}
		if !next.Before(lapseAt) {
			return cr.lapse(ctx)
		}
		cr.notify(ctx, fmt.Sprintf("%s-%d", step, k), email.KindConditionsPending, []string{cr.CreatedBy}, "")
	}
}

// lapse takes back an approval whose conditions were not met in time:
// the limit goes back to what it was, and the rep and the analyst who
// decided hear of it.
func (cr *creditRequest) lapse(ctx workflow.Context) error {
	cr.Status = StatusLapsed
	now := workflow.Now(ctx)
	for k, c := range cr.Decision.Conditions {
		if c.Status == ConditionPending {
			c.Status, c.ResolvedBy, c.ResolvedAt = ConditionLapsed, "creditflow", &now
			cr.Decision.Conditions[k] = c
		}
	}
	if err := workflow.ExecuteActivity(ctx, LapseApprovalActivity, LapseApprovalInput{RequestID: cr.ID, At: now}).Get(ctx, nil); err != nil {
		return fmt.Errorf("lapse: %w", err)
	}
	cr.UpdatedAt = now
	to := []string{cr.CreatedBy}
	if by := cr.Decision.DecidedBy; by != "" && by != "creditflow" && !strings.EqualFold(by, cr.CreatedBy) {
		to = append(to, by)
	}
	cr.notify(ctx, "lapsed", email.KindApprovalLapsed, to, "")
	return nil
}

// validateCondition: credit marks a condition met, with a note; only a
// credit manager waives one; only a pending condition of an approval
// still waiting for its conditions.
func (cr *creditRequest) validateCondition(ctx workflow.Context, in ConditionInput) error {
	switch {
	case in.By.Role != RoleCredit && in.By.Role != RoleCreditManager:
		return forbidden("only credit analysts and credit managers settle conditions")
	case in.Status == ConditionWaived && in.By.Role != RoleCreditManager:
		return forbidden("only a credit manager waives a condition")
	case in.Status != ConditionMet && in.Status != ConditionWaived:
		return invalid("status: want met or waived")
	case in.Status == ConditionMet && strings.TrimSpace(in.Note) == "":
		return invalid("note: say how the condition was met")
	case cr.Decision == nil || cr.Decision.Outcome != OutcomeApproveWithConditions || cr.Status != StatusApprovedWithConditions:
		return conflict(fmt.Sprintf("credit request %s is %s: it has no conditions waiting", cr.ID, cr.Status))
	case in.N < 0 || in.N >= len(cr.Decision.Conditions):
		return invalid(fmt.Sprintf("n: the approval has %d conditions", len(cr.Decision.Conditions)))
	}
	c := cr.Decision.Conditions[in.N]
	switch {
	case in.ExpiresOn != "" && c.Type != ConditionLetterOfCredit:
		return invalid("expires_on: only a letter of credit has an expiry")
	case in.ExpiresOn != "" && in.Status != ConditionMet:
		return invalid("expires_on: a letter of credit's expiry comes with the letter, met")
	case c.Status == ConditionMet && c.Type == ConditionLetterOfCredit && in.Status == ConditionMet && in.ExpiresOn != "":
		// A renewal of a letter that still holds: it must hold longer.
		if in.ExpiresOn <= c.ExpiresOn {
			return invalid(fmt.Sprintf("expires_on: the renewed letter of credit must be valid after %s, the current one's expiry", c.ExpiresOn))
		}
	case c.Status != ConditionPending:
		return conflict(fmt.Sprintf("condition %d is %s already", in.N, c.Status))
	case c.ExpiredOn != "" && in.Status == ConditionMet && in.ExpiresOn == "":
		return invalid(fmt.Sprintf("expires_on: the new letter of credit's expiry is needed (the last one expired on %s)", c.ExpiredOn))
	}
	return nil
}

// settleCondition marks a condition met or waived, keeps it, and answers
// the request; the last one settled ends the wait.
func (cr *creditRequest) settleCondition(ctx workflow.Context, in ConditionInput) (CreditRequest, error) {
	if err := cr.validateCondition(ctx, in); err != nil {
		return cr.CreditRequest, err
	}
	// A person waits for the answer: the interactive lane.
	ctx = inLane(withActivityOptions(ctx))
	now := workflow.Now(ctx)
	c := cr.Decision.Conditions[in.N]
	c.Status, c.Note, c.ResolvedBy, c.ResolvedAt = in.Status, strings.TrimSpace(in.Note), in.By.Email, &now
	record := RecordConditionInput{RequestID: cr.ID, N: in.N}
	if in.ExpiresOn != "" {
		// A letter of credit with its (new) expiry: one event per letter.
		c.ExpiresOn, c.ExpiredOn = in.ExpiresOn, ""
		record.Event = fmt.Sprintf("condition/%d/met/%s", in.N, in.ExpiresOn)
	}
	record.Condition = c
	// Settled before it is kept, as since conditions were held: the wait
	// for them ends in this workflow task (its timer cancelled in it).
	cr.Decision.Conditions[in.N] = c
	if err := workflow.ExecuteActivity(ctx, RecordConditionActivity, record).Get(ctx, nil); err != nil {
		return cr.CreditRequest, err
	}
	cr.UpdatedAt = now
	return cr.CreditRequest, nil
}

// conditionLabels say what conditions ask for, for emails.
func conditionLabels(cs []Condition) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.what())
	}
	return out
}

func (c Condition) what() string {
	amount := ""
	if c.Amount != nil {
		amount = c.Amount.Display()
	}
	return policy.DescribeCondition(c.Type, amount, c.ExpiresOn, c.Guarantor, c.TermsDays)
}
