package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
)

// lettersFollowed is the change that follows a met letter of credit
// until it expires (GetVersion 1). Approvals whose conditions settled
// before it ended there.
const lettersFollowed = "letters-of-credit-followed"

// defaultLetterOfCreditNoticeDays is the policy's notice for requests
// scored before the policy named it.
const defaultLetterOfCreditNoticeDays = 30

// followLetters keeps an approval's letters of credit holding it: credit
// and the rep hear some policy days before one expires (credit may renew
// it meanwhile: met again with a later expires_on); when it expires while
// the account is open, the condition is pending again, no order ships,
// and the approval waits for a new letter as it waited for the first
// (reminders, and a lapse if none comes). A closed account's letter
// expires unremarked.
func (cr *creditRequest) followLetters(ctx workflow.Context) error {
	for cr.Status == StatusApprovedWithConditions {
		n, ok := cr.nextLetterToExpire()
		if !ok {
			return nil
		}
		expiresOn := cr.Decision.Conditions[n].ExpiresOn
		renewed := func() bool { return cr.Decision.Conditions[n].ExpiresOn != expiresOn }
		expiry := policy.LetterOfCreditExpiry(cr.Decision.DecidedAt, policy.ParseDate(expiresOn), cr.assessment.Day)
		notice := expiry.Add(-time.Duration(cr.letterNoticeDays()) * cr.assessment.Day)

		if settled, err := cr.waitUntil(ctx, notice, "letter of credit notice", renewed); err != nil || settled {
			if err != nil {
				return err
			}
			continue
		}
		cr.notifyLetter(ctx, fmt.Sprintf("letter-%d-%s-expiring", n, expiresOn), n, expiresOn, false)
		if settled, err := cr.waitUntil(ctx, expiry, "letter of credit expiry", renewed); err != nil || settled {
			if err != nil {
				return err
			}
			continue
		}
		open, err := cr.expireLetter(ctx, n, expiresOn)
		if err != nil || !open {
			return err
		}
		cr.lapseFrom = "the letter of credit's expiry on " + expiresOn
		cr.notifyLetter(ctx, fmt.Sprintf("letter-%d-%s-expired", n, expiresOn), n, expiresOn, true)
		if err := cr.awaitConditions(ctx, workflow.Now(ctx), fmt.Sprintf("letter-%d-%s-reminder", n, expiresOn)); err != nil {
			return err
		}
	}
	return nil
}

// nextLetterToExpire is the met letter of credit with the nearest expiry.
func (cr *creditRequest) nextLetterToExpire() (int, bool) {
	next, found := 0, false
	if cr.Decision == nil {
		return next, found
	}
	for k, c := range cr.Decision.Conditions {
		if c.Type != ConditionLetterOfCredit || c.Status != ConditionMet || c.ExpiresOn == "" {
			continue
		}
		if !found || c.ExpiresOn < cr.Decision.Conditions[next].ExpiresOn {
			next, found = k, true
		}
	}
	return next, found
}

func (cr *creditRequest) letterNoticeDays() int {
	if d := cr.assessment.Review.LetterOfCreditNoticeDays; d > 0 {
		return d
	}
	return defaultLetterOfCreditNoticeDays
}

// waitUntil waits until at, or until done says the wait is moot; it
// answers whether it ended so.
func (cr *creditRequest) waitUntil(ctx workflow.Context, at time.Time, summary string, done func() bool) (bool, error) {
	wait := at.Sub(workflow.Now(ctx))
	if wait <= 0 {
		return done(), nil
	}
	return workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout: wait, TimerOptions: workflow.TimerOptions{Summary: summary},
	}, done)
}

// expireLetter makes the n-th condition, a letter of credit that just
// expired, pending again, if the account is still open; it answers
// whether it did.
func (cr *creditRequest) expireLetter(ctx workflow.Context, n int, expiresOn string) (bool, error) {
	c := cr.Decision.Conditions[n]
	c.Status, c.ExpiredOn, c.ExpiresOn = ConditionPending, expiresOn, ""
	c.Note = "the letter of credit valid until " + expiresOn + " expired: a new one is needed"
	c.ResolvedBy, c.ResolvedAt = "", nil
	var res ExpireLetterOfCreditResult
	err := workflow.ExecuteActivity(ctx, ExpireLetterOfCreditActivity, ExpireLetterOfCreditInput{
		RequestID: cr.ID, N: n, Condition: c, Event: fmt.Sprintf("condition/%d/expired/%s", n, expiresOn),
	}).Get(ctx, &res)
	if err != nil {
		return false, fmt.Errorf("letter of credit %d: %w", n, err)
	}
	if res.Open {
		cr.Decision.Conditions[n] = c
		cr.UpdatedAt = workflow.Now(ctx)
	}
	return res.Open, nil
}

// notifyLetter tells the rep who asked and the credit team that a letter
// of credit expires on expiresOn, or has.
func (cr *creditRequest) notifyLetter(ctx workflow.Context, step string, n int, expiresOn string, expired bool) {
	e := cr.email(ctx, step, email.KindLetterOfCreditExpiring, []string{cr.CreatedBy}, AudienceCreditTeam)
	c := cr.Decision.Conditions[n]
	c.ExpiresOn = expiresOn
	e.Facts["Letter"] = c.what()
	e.Facts["ExpiresOn"] = expiresOn
	e.Facts["NoticeDays"] = fmt.Sprint(cr.letterNoticeDays())
	if expired {
		e.Facts["Expired"] = "yes"
	}
	cr.send(ctx, e)
}
