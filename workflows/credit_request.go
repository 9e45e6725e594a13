package workflows

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
)

// CreditRequestWorkflow follows a credit pre-approval or limit increase from
// the sales rep's request to its outcome: score it, decide the clear cases
// at once, otherwise wait (days if need be) for a credit analyst while
// chasing the credit team, then apply the outcome and tell the rep.
func CreditRequestWorkflow(ctx workflow.Context, r CreditRequest) (CreditRequest, error) {
	cr := &creditRequest{CreditRequest: r, activities: newActivityVersion(ctx)}
	if err := cr.registerHandlers(ctx); err != nil {
		return r, err
	}
	ctx = withActivityOptions(ctx)
	if r.Kind != KindPeriodicReview {
		// A sales rep or an analyst waits for every step: the interactive
		// lane, also for requests started on the batch queue before it
		// existed. Periodic reviews come by the thousand from a schedule,
		// on the batch queue, and stay there.
		ctx = inLane(ctx)
	}
	return cr.run(ctx)
}

// creditRequest is the workflow's state.
type creditRequest struct {
	CreditRequest
	assessment Assessment
	withdrawal *WithdrawInput
	finished   bool // the outcome is recorded; updates may answer
	emails     background
	activities activityVersion
	// applied is what a periodic review's decision did to the account.
	applied ReviewApplied
	// lapseFrom is what the conditions' lapse counts from, when not the
	// approval: a letter of credit's expiry.
	lapseFrom string
}

func (cr *creditRequest) run(ctx workflow.Context) (CreditRequest, error) {
	// Score. The activity also writes the request's row, should the API
	// have died between starting this workflow and writing it.
	if err := workflow.ExecuteActivity(ctx, cr.scoreActivity(), cr.CreditRequest).Get(ctx, &cr.assessment); err != nil {
		return cr.CreditRequest, fmt.Errorf("score: %w", err)
	}
	cr.recordScore()

	// Decide the clear cases at once; wait for a human for the others.
	switch {
	case cr.withdrawal != nil:
		// Withdrawn while it was being scored: nothing to decide.
	case cr.assessment.Score.Outcome == ScoreApprove:
		limit := cr.RequestedLimit
		cr.Decision = cr.automaticDecision(ctx, OutcomeApprove, &limit)
	case cr.assessment.Score.Outcome == ScoreDecline:
		cr.Decision = cr.automaticDecision(ctx, OutcomeDecline, nil)
	default:
		cr.Status = StatusPendingReview
		cr.emails.Go(ctx, func(ctx workflow.Context) {
			cr.notify(ctx, "received", email.KindRequestReceived, nil, AudienceCreditTeam)
		})
		if err := cr.awaitReview(ctx); err != nil {
			return cr.CreditRequest, err
		}
	}

	// Apply the outcome to the account and tell the rep.
	switch {
	case cr.Decision != nil:
		if err := cr.applyDecision(ctx); err != nil {
			return cr.CreditRequest, fmt.Errorf("apply decision: %w", err)
		}
		cr.Status = cr.Decision.Status()
		cr.DecidedAt = &cr.Decision.DecidedAt
	case cr.withdrawal != nil:
		if err := cr.close(ctx, StatusWithdrawn, cr.withdrawal.By.Email, cr.withdrawal.Reason); err != nil {
			return cr.CreditRequest, err
		}
	default:
		if err := cr.close(ctx, StatusExpired, "creditflow", "no decision within the review period"); err != nil {
			return cr.CreditRequest, err
		}
	}
	cr.UpdatedAt = workflow.Now(ctx)
	cr.finished = true
	switch {
	case cr.Kind == KindPeriodicReview:
		// Nobody asked for a review: the account's rep hears of a change.
		if cr.changesTheAccount() {
			cr.notify(ctx, "decided", email.KindRequestDecided, nil, AudienceSalesRep)
		}
	case cr.withdrawal == nil:
		cr.notify(ctx, "decided", email.KindRequestDecided, []string{cr.CreatedBy}, "")
	}
	// Since conditions are held, an approval with conditions waits here
	// for them; before, the workflow ended with the approval.
	if workflow.GetVersion(ctx, conditionsHeld, workflow.DefaultVersion, 1) == 1 && cr.pendingConditions() > 0 {
		if err := cr.awaitConditions(ctx, cr.Decision.DecidedAt, "conditions-reminder"); err != nil {
			return cr.CreditRequest, err
		}
	}
	// Since letters of credit are followed, an approval that one holds
	// waits here until it expires; before, the workflow ended.
	if _, ok := cr.nextLetterToExpire(); ok && cr.Status == StatusApprovedWithConditions &&
		workflow.GetVersion(ctx, lettersFollowed, workflow.DefaultVersion, 1) == 1 {
		if err := cr.followLetters(ctx); err != nil {
			return cr.CreditRequest, err
		}
	}
	// Let update handlers that wait for the outcome answer, and the emails
	// to the credit team go, before we return.
	if err := workflow.Await(ctx, func() bool { return cr.emails.idle() && workflow.AllHandlersFinished(ctx) }); err != nil {
		return cr.CreditRequest, err
	}
	return cr.CreditRequest, nil
}

// awaitReview waits for a decision or a withdrawal, reminding the credit
// team and then escalating to the credit managers as the service level
// passes, until the request expires.
func (cr *creditRequest) awaitReview(ctx workflow.Context) error {
	review, day := cr.assessment.Review, cr.assessment.Day
	waitingSince := workflow.Now(ctx)
	stages := []struct {
		afterDays int
		summary   string
		chase     func()
	}{
		{review.ReminderAfterDays, "review reminder", func() {
			cr.emails.Go(ctx, func(ctx workflow.Context) {
				cr.notify(ctx, "review-reminder", email.KindReviewReminder, nil, AudienceCreditTeam)
			})
		}},
		{review.EscalateAfterDays, "review escalation", func() {
			cr.emails.Go(ctx, func(ctx workflow.Context) {
				cr.notify(ctx, "review-escalation", email.KindReviewEscalation, nil, AudienceCreditManagers)
			})
		}},
		{review.ExpireAfterDays, "review expiry", func() {}},
	}
	for _, stage := range stages {
		deadline := waitingSince.Add(time.Duration(stage.afterDays) * day)
		answered, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      deadline.Sub(workflow.Now(ctx)),
			TimerOptions: workflow.TimerOptions{Summary: stage.summary},
		}, func() bool { return cr.Decision != nil || cr.withdrawal != nil })
		if err != nil || answered {
			return err
		}
		stage.chase()
	}
	return nil
}

// applyDecision records the decision and applies it to the account.
func (cr *creditRequest) applyDecision(ctx workflow.Context) error {
	if cr.Kind == KindPeriodicReview {
		return workflow.ExecuteActivity(ctx, ApplyReviewDecisionActivity,
			ApplyDecisionInput{RequestID: cr.ID, Decision: *cr.Decision}).Get(ctx, &cr.applied)
	}
	apply := activityCall{
		name: ApplyCreditDecisionActivity, input: ApplyDecisionInput{RequestID: cr.ID, Decision: *cr.Decision},
		legacyName: legacyApplyDecision, legacyArgs: []any{cr.ID, *cr.Decision},
	}
	return cr.activities.execute(ctx, apply).Get(ctx, nil)
}

func (cr *creditRequest) recordScore() {
	s := cr.assessment.Score
	cr.Score = &s.Points
	cr.Band = s.Band
	cr.Reasons = s.Reasons
	cr.RecommendedLimit = &s.RecommendedLimit
}

// automaticDecision is the scorecard's decision, taken now. (Requests
// decided before it was dated carry no date in their history; the
// migration 00003 dated their rows.)
func (cr *creditRequest) automaticDecision(ctx workflow.Context, outcome string, limit *Money) *Decision {
	s := cr.assessment.Score
	d := &Decision{
		Outcome:       outcome,
		ApprovedLimit: limit,
		Reason:        fmt.Sprintf("decided by the scorecard: %d points, band %s", s.Points, s.Band),
		DecidedBy:     "creditflow",
		DecidedAt:     workflow.Now(ctx),
		Automatic:     true,
	}
	cr.markReview(d)
	return d
}

func (cr *creditRequest) close(ctx workflow.Context, status, by, reason string) error {
	// The status changes before the activity runs, so that a decision
	// arriving while the expiry is being recorded is refused, not lost.
	cr.Status = status
	c := CloseCreditRequestInput{RequestID: cr.ID, Status: status, By: by, Reason: reason, At: workflow.Now(ctx)}
	if err := workflow.ExecuteActivity(ctx, CloseCreditRequestActivity, c).Get(ctx, nil); err != nil {
		return fmt.Errorf("close as %s: %w", status, err)
	}
	return nil
}

// notify sends one email about the request.
func (cr *creditRequest) notify(ctx workflow.Context, step, kind string, to []string, audience string) {
	cr.send(ctx, cr.email(ctx, step, kind, to, audience))
}

// email is an email about the request, keyed by its step.
func (cr *creditRequest) email(ctx workflow.Context, step, kind string, to []string, audience string) Email {
	return Email{
		Key:      CreditRequestWorkflowID(cr.ID) + "/" + step,
		Kind:     kind,
		To:       to,
		Audience: audience,
		Facts:    cr.facts(ctx),
		IDs:      map[string]string{"request_id": cr.ID, "account_id": cr.AccountID},
	}
}

// send sends an email. A failed email is logged and does not stop the
// credit process: the outbox keeps the failure for whoever looks at the
// request.
func (cr *creditRequest) send(ctx workflow.Context, e Email) {
	if err := workflow.ExecuteActivity(ctx, SendEmailActivity, e).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("email not sent", "kind", e.Kind, "error", err)
	}
}

// facts are what the email templates may show about the request.
func (cr *creditRequest) facts(ctx workflow.Context) map[string]string {
	s := cr.assessment.Score
	review := cr.assessment.Review
	kindLabel := "credit pre-approval"
	if cr.Kind == KindLimitIncrease {
		kindLabel = "credit limit increase"
	}
	if cr.Kind == KindPeriodicReview {
		kindLabel = "periodic credit review"
	}
	daysWaiting := 0
	if d := cr.assessment.Day; d > 0 {
		daysWaiting = int(workflow.Now(ctx).Sub(cr.CreatedAt) / d)
	}
	f := map[string]string{
		"RequestID":         cr.ID,
		"AccountID":         cr.AccountID,
		"AccountName":       cr.assessment.AccountName,
		"KindLabel":         kindLabel,
		"RequestedBy":       cr.CreatedBy,
		"RecipientName":     cr.CreatedBy,
		"RequestedLimit":    cr.RequestedLimit.Display(),
		"Reason":            cr.Reason,
		"Score":             strconv.Itoa(s.Points),
		"Band":              s.Band,
		"Reasons":           strings.Join(s.Reasons, "\n"),
		"RecommendedLimit":  s.RecommendedLimit.Display(),
		"ReminderAfterDays": strconv.Itoa(review.ReminderAfterDays),
		"DaysWaiting":       strconv.Itoa(daysWaiting),
		"DaysToEscalation":  strconv.Itoa(review.EscalateAfterDays - review.ReminderAfterDays),
		"ExpireAfterDays":   strconv.Itoa(review.ExpireAfterDays),
	}
	switch {
	case cr.Decision != nil:
		d := cr.Decision
		f["OutcomeLabel"] = map[string]string{
			OutcomeApprove:               "Approved",
			OutcomeApproveWithConditions: "Approved with conditions",
			OutcomeDecline:               "Declined",
		}[d.Outcome]
		f["OutcomeSentence"] = strings.ToLower(f["OutcomeLabel"])
		if d.ApprovedLimit != nil {
			f["ApprovedLimit"] = d.ApprovedLimit.Display()
		}
		f["Conditions"] = strings.Join(conditionLabels(d.Conditions), "\n")
		f["PendingConditions"] = strings.Join(conditionLabels(cr.pending()), "\n")
		f["LapsedConditions"] = strings.Join(conditionLabels(cr.lapsed()), "\n")
		_, lapse := cr.conditionsPolicy()
		f["LapseAfterDays"] = strconv.Itoa(lapse)
		f["LapseFrom"] = cmp.Or(cr.lapseFrom, "the approval")
		f["Reason"] = d.Reason
		f["DecidedBy"] = d.DecidedBy
	case cr.Status == StatusExpired:
		f["OutcomeLabel"] = "Expired"
		f["OutcomeSentence"] = "expired: nobody decided it within " + strconv.Itoa(review.ExpireAfterDays) + " days; ask again if the deal is still on"
	}
	if cr.Kind == KindPeriodicReview {
		cr.reviewFacts(f)
	}
	return f
}

// registerHandlers installs the decision and withdrawal updates and the
// status query.
func (cr *creditRequest) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (CreditRequest, error) {
		return cr.CreditRequest, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, DecisionUpdate, cr.decide,
		workflow.UpdateHandlerOptions{Validator: cr.validateDecision}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, ConditionUpdate, cr.settleCondition,
		workflow.UpdateHandlerOptions{Validator: cr.validateCondition}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, WithdrawUpdate, cr.withdraw,
		workflow.UpdateHandlerOptions{Validator: cr.validateWithdrawal})
}

// validateDecision re-checks what the API checked, against the workflow's
// own state: a decision is taken once, by someone entitled to take it.
func (cr *creditRequest) validateDecision(ctx workflow.Context, d DecisionInput) error {
	// Who may decide does not depend on when: checked first, so that the
	// answer to the wrong person is 403 whatever the request's state.
	if d.By.Role != RoleCredit && d.By.Role != RoleCreditManager {
		return forbidden("only credit analysts and credit managers decide credit requests")
	}
	if strings.EqualFold(d.By.Email, cr.CreatedBy) {
		return forbidden("segregation of duties: nobody decides a request they created")
	}
	// The inbox shows a request as soon as its score is stored, a moment
	// before the workflow has read it (longer if no worker runs then): a
	// decision in that moment waits for the score, and is checked again.
	if cr.Status == StatusScoring && cr.Decision == nil && cr.withdrawal == nil {
		return nil
	}
	if cr.Status != StatusPendingReview || cr.Decision != nil || cr.withdrawal != nil {
		return conflict(NoLongerWaiting(cr.ID, cr.Status))
	}
	if cr.Kind == KindPeriodicReview {
		return cr.validateReviewDecision(d)
	}
	switch d.Outcome {
	case OutcomeApprove, OutcomeApproveWithConditions:
		if d.ApprovedLimit == nil || d.ApprovedLimit.Minor <= 0 {
			return invalid("approved_limit: an approval needs a positive approved limit")
		}
		if d.ApprovedLimit.Currency != cr.RequestedLimit.Currency {
			return invalid("approved_limit: must be in " + cr.RequestedLimit.Currency + ", the currency of the request")
		}
		if d.ApprovedLimit.Minor > cr.RequestedLimit.Minor {
			return invalid("approved_limit: must not exceed the requested limit " + cr.RequestedLimit.Display())
		}
		if err := cr.withinApprovalLimit(d); err != nil {
			return err
		}
		if d.Outcome == OutcomeApproveWithConditions && len(d.Conditions) == 0 {
			return invalid("conditions: an approval with conditions names at least one")
		}
		for k, c := range d.Conditions {
			if !slices.Contains(Conditions, c.Type) {
				return invalid(fmt.Sprintf("conditions[%d].type: unknown condition %s", k, c.Type))
			}
		}
	case OutcomeDecline:
		if strings.TrimSpace(d.Reason) == "" {
			return invalid("reason: a decline needs a reason")
		}
	default:
		return invalid("outcome: want approve, approve_with_conditions or decline")
	}
	return nil
}

func (cr *creditRequest) decide(ctx workflow.Context, d DecisionInput) (CreditRequest, error) {
	// Two decisions accepted in the same workflow task both passed the
	// validator; the second one to run finds the first and is refused. One
	// accepted while the request was being scored is checked once scored.
	if err := workflow.Await(ctx, func() bool { return cr.Status != StatusScoring }); err != nil {
		return cr.CreditRequest, err
	}
	if err := cr.validateDecision(ctx, d); err != nil {
		return cr.CreditRequest, err
	}
	decision := &Decision{
		Outcome:   d.Outcome,
		Reason:    d.Reason,
		DecidedBy: d.By.Email,
		DecidedAt: workflow.Now(ctx),
	}
	if d.Outcome != OutcomeDecline {
		decision.ApprovedLimit = d.ApprovedLimit
	}
	if d.Outcome == OutcomeApproveWithConditions {
		decision.Conditions = openConditions(d.Conditions, decision.DecidedAt)
	}
	cr.markReview(decision)
	cr.Decision = decision
	// Answer with the decided request once the outcome is recorded.
	if err := workflow.Await(ctx, func() bool { return cr.finished }); err != nil {
		return cr.CreditRequest, err
	}
	return cr.CreditRequest, nil
}

func (cr *creditRequest) validateWithdrawal(ctx workflow.Context, w WithdrawInput) error {
	if !strings.EqualFold(w.By.Email, cr.CreatedBy) {
		return forbidden("only the sales rep who asked may withdraw a request")
	}
	if cr.Decision != nil || cr.withdrawal != nil || (cr.Status != StatusPendingReview && cr.Status != StatusScoring) {
		return conflict(NoLongerWaiting(cr.ID, cr.Status))
	}
	return nil
}

func (cr *creditRequest) withdraw(ctx workflow.Context, w WithdrawInput) (CreditRequest, error) {
	if err := cr.validateWithdrawal(ctx, w); err != nil {
		return cr.CreditRequest, err
	}
	cr.withdrawal = &w
	if err := workflow.Await(ctx, func() bool { return cr.finished }); err != nil {
		return cr.CreditRequest, err
	}
	return cr.CreditRequest, nil
}

// NoLongerWaiting is the one way Creditflow says that a request takes no
// decision or withdrawal any more: the workflow's 409 and the API's.
func NoLongerWaiting(id, status string) string {
	return fmt.Sprintf("credit request %s is %s and no longer waiting", id, status)
}
