package workflows

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
)

// registerActivityStubs registers, under each activity's name, a function
// of its signature that does nothing: the tests mock what they watch with
// OnActivity(name, …), which needs the name registered.
func registerActivityStubs(env *testsuite.TestWorkflowEnvironment) {
	for name, fn := range map[string]any{
		ScoreCreditRequestActivity:      func(context.Context, CreditRequest) (Assessment, error) { return Assessment{}, nil },
		ApplyCreditDecisionActivity:     func(context.Context, ApplyDecisionInput) error { return nil },
		CloseCreditRequestActivity:      func(context.Context, CloseCreditRequestInput) error { return nil },
		SendEmailActivity:               func(context.Context, Email) (SentEmail, error) { return SentEmail{}, nil },
		StartDunningActivity:            func(context.Context, StartDunningInput) (DunningPlan, error) { return DunningPlan{}, nil },
		SendInvoiceEmailActivity:        func(context.Context, InvoiceEmail) (SentEmail, error) { return SentEmail{}, nil },
		RecordDunningStepActivity:       func(context.Context, StepRecord) error { return nil },
		PlaceCreditHoldActivity:         func(context.Context, HoldRequest) (bool, error) { return false, nil },
		RecordInvoicePaymentActivity:    func(context.Context, RecordPaymentInput) (Settlement, error) { return Settlement{}, nil },
		RecordDisputeActivity:           func(context.Context, DisputeInput) error { return nil },
		RecordDisputeResolutionActivity: func(context.Context, ResolveDisputeInput) (Settlement, error) { return Settlement{}, nil },
		RecordPromiseToPayActivity:      func(context.Context, RecordPromiseInput) error { return nil },
		SettlePromiseToPayActivity:      func(context.Context, SettlePromiseInput) error { return nil },
		RecordWriteOffActivity:          func(context.Context, WriteOffInput) (Settlement, error) { return Settlement{}, nil },
		RecordEscalationActivity:        func(context.Context, OpenEscalationInput) (Escalation, error) { return Escalation{}, nil },
		RecordEscalationOverdueActivity: func(context.Context, EscalationRef) error { return nil },
		RecordEscalationClosedActivity:  func(context.Context, EscalationRef) error { return nil },
		RecordAcknowledgementActivity:   func(context.Context, AcknowledgeEscalationInput) (Escalation, error) { return Escalation{}, nil },
		ListDueReviewsActivity:          func(context.Context, ListDueReviewsInput) (DueReviews, error) { return DueReviews{}, nil },
		StartPeriodicReviewsActivity:    func(context.Context, StartPeriodicReviewsInput) (StartedReviews, error) { return StartedReviews{}, nil },
		ScorePeriodicReviewActivity:     func(context.Context, CreditRequest) (Assessment, error) { return Assessment{}, nil },
		ApplyReviewDecisionActivity:     func(context.Context, ApplyDecisionInput) (ReviewApplied, error) { return ReviewApplied{}, nil },
		OpenReplyActivity:               func(context.Context, ReplyRef) (ReplyOpened, error) { return ReplyOpened{}, nil },
		PauseForReplyActivity:           func(context.Context, ReplyPauseInput) ([]string, error) { return nil, nil },
		ResumeAfterReplyActivity:        func(context.Context, ResumeAfterReplyInput) error { return nil },
		MarkReplyReadActivity:           func(context.Context, MarkReplyReadInput) error { return nil },
		PlanDigestActivity:              func(context.Context, PlanDigestInput) (DigestPlan, error) { return DigestPlan{}, nil },
		ListDigestRecipientsActivity: func(context.Context, ListDigestRecipientsInput) (DigestRecipients, error) {
			return DigestRecipients{}, nil
		},
		SendDigestActivity:         func(context.Context, SendDigestInput) (DigestOutcome, error) { return DigestOutcome{}, nil },
		ChangeHoldActivity:         func(context.Context, HoldChangeInput) (HoldChanged, error) { return HoldChanged{}, nil },
		ResendToNewContactActivity: func(context.Context, ContactChangedInput) (int, error) { return 0, nil },
		RecordConditionActivity:    func(context.Context, RecordConditionInput) error { return nil },
		LapseApprovalActivity:      func(context.Context, LapseApprovalInput) error { return nil },
		ExpireLetterOfCreditActivity: func(context.Context, ExpireLetterOfCreditInput) (ExpireLetterOfCreditResult, error) {
			return ExpireLetterOfCreditResult{Open: true}, nil
		},
		RecordComplaintActivity: func(context.Context, Complaint) (ComplaintOpened, error) { return ComplaintOpened{}, nil },
		JoinCustomerDayActivity: func(context.Context, JoinCustomerDayInput) error { return nil },
		ComposeCustomerEmailActivity: func(context.Context, ComposeCustomerEmailInput) (CustomerEmailDraft, error) {
			return CustomerEmailDraft{}, nil
		},
		SendCustomerEmailActivity:  func(context.Context, CustomerEmail) (SentEmail, error) { return SentEmail{}, nil },
		RecordDunningStepsActivity: func(context.Context, RecordStepsInput) error { return nil },
	} {
		env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

func eur(s string) Money {
	m, err := money.Parse(s, "EUR")
	if err != nil {
		panic(err)
	}
	return MoneyOf(m)
}

// defaultReview is the default policy's review service level.
func defaultReview() Review {
	r := policy.Default().Review
	return Review{ReminderAfterDays: r.ReminderAfterDays, EscalateAfterDays: r.EscalateAfterDays,
		ExpireAfterDays: r.ExpireAfterDays, DefaultApprovalMax: r.DefaultApprovalMax,
		ConditionsReminderDays: r.ConditionsReminderDays, ConditionsLapseDays: r.ConditionsLapseDays}
}
