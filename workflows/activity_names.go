package workflows

import "go.temporal.io/sdk/workflow"

// Activity names: the methods of package activities' Activities, which the
// worker registers under their method names. Workflows call activities by
// these names, so that this package needs neither the activities nor what
// they depend on (Postgres, SendGrid); a test in package worker checks
// that each name is a registered activity taking the input named here.
const (
	ScoreCreditRequestActivity  = "ScoreCreditRequest"  // CreditRequest → Assessment
	ApplyCreditDecisionActivity = "ApplyCreditDecision" // ApplyDecisionInput
	CloseCreditRequestActivity  = "CloseCreditRequest"  // CloseCreditRequestInput
	SendEmailActivity           = "SendEmail"           // Email → SentEmail

	StartDunningActivity            = "StartDunning"            // StartDunningInput → DunningPlan (local)
	SendInvoiceEmailActivity        = "SendInvoiceEmail"        // InvoiceEmail → SentEmail
	RecordDunningStepActivity       = "RecordDunningStep"       // StepRecord
	PlaceCreditHoldActivity         = "PlaceCreditHold"         // HoldRequest → bool
	RecordInvoicePaymentActivity    = "RecordInvoicePayment"    // RecordPaymentInput → Settlement
	RecordDisputeActivity           = "RecordDispute"           // DisputeInput
	RecordDisputeResolutionActivity = "RecordDisputeResolution" // ResolveDisputeInput → Settlement
	RecordPromiseToPayActivity      = "RecordPromiseToPay"      // RecordPromiseInput
	SettlePromiseToPayActivity      = "SettlePromiseToPay"      // SettlePromiseInput
	RecordWriteOffActivity          = "RecordWriteOff"          // WriteOffInput → Settlement

	RecordEscalationActivity        = "RecordEscalation"        // OpenEscalationInput → Escalation
	RecordEscalationOverdueActivity = "RecordEscalationOverdue" // EscalationRef
	RecordEscalationClosedActivity  = "RecordEscalationClosed"  // EscalationRef
	RecordAcknowledgementActivity   = "RecordAcknowledgement"   // AcknowledgeEscalationInput → Escalation

	// The periodic credit review.
	ListDueReviewsActivity       = "ListDueReviews"       // ListDueReviewsInput → DueReviews
	StartPeriodicReviewsActivity = "StartPeriodicReviews" // StartPeriodicReviewsInput → StartedReviews
	ScorePeriodicReviewActivity  = "ScorePeriodicReview"  // CreditRequest → Assessment
	ApplyReviewDecisionActivity  = "ApplyReviewDecision"  // ApplyDecisionInput → ReviewApplied
	OpenReplyActivity            = "OpenReply"            // ReplyRef → ReplyOpened
	PauseForReplyActivity        = "PauseForReply"        // ReplyPauseInput → []string (invoices paused)
	ResumeAfterReplyActivity     = "ResumeAfterReply"     // ResumeAfterReplyInput
	MarkReplyReadActivity        = "MarkReplyRead"        // MarkReplyReadInput
	PlanDigestActivity           = "PlanDigest"           // PlanDigestInput → DigestPlan
	ListDigestRecipientsActivity = "ListDigestRecipients" // ListDigestRecipientsInput → DigestRecipients
	SendDigestActivity           = "SendDigest"           // SendDigestInput → DigestOutcome
	RecordConditionActivity      = "RecordCondition"      // RecordConditionInput
	LapseApprovalActivity        = "LapseApproval"        // LapseApprovalInput
	ExpireLetterOfCreditActivity = "ExpireLetterOfCredit" // ExpireLetterOfCreditInput → ExpireLetterOfCreditResult
	ChangeHoldActivity           = "ChangeHold"           // HoldChangeInput → HoldChanged
	ResendToNewContactActivity   = "ResendToNewContact"   // ContactChangedInput → int (emails sent again)
	RecordComplaintActivity      = "RecordComplaint"      // Complaint → ComplaintOpened

	// One email per customer per day.
	JoinCustomerDayActivity      = "JoinCustomerDay"      // JoinCustomerDayInput
	ComposeCustomerEmailActivity = "ComposeCustomerEmail" // ComposeCustomerEmailInput → CustomerEmailDraft
	SendCustomerEmailActivity    = "SendCustomerEmail"    // CustomerEmail → SentEmail
	RecordDunningStepsActivity   = "RecordDunningSteps"   // RecordStepsInput
)

// Workflows started before activities took one input struct call them
// under their first names, with positional arguments; package activities
// keeps those until no such workflow runs.
const (
	legacyApplyDecision         = "ApplyDecision"         // (requestID, Decision)
	legacyRecordPayment         = "RecordPayment"         // (invoiceID, Payment) → Settlement
	legacyOpenDispute           = "OpenDispute"           // (Dispute, openedBy)
	legacyResolveDispute        = "ResolveDispute"        // (DisputeResolution, at) → Settlement
	legacyRecordPromise         = "RecordPromise"         // (key, invoiceID, PromiseToPay)
	legacySettlePromise         = "SettlePromise"         // (key, status)
	legacyWriteOffInvoice       = "WriteOffInvoice"       // (invoiceID, WriteOff) → Settlement
	legacyOpenEscalation        = "OpenEscalation"        // (Escalation, reason) → Escalation
	legacyMarkEscalationOverdue = "MarkEscalationOverdue" // (escalationID)
	legacyCloseEscalation       = "CloseEscalation"       // (escalationID)
	legacyAcknowledgeEscalation = "AcknowledgeEscalation" // (escalationID, Acknowledgement, at) → Escalation
)

// singleInputActivities is the change that gave every activity one input
// struct and a new name (GetVersion 1).
const singleInputActivities = "single-input-activities"

// activityCall is one activity as today's workflows call it, and as the
// workflows started before singleInputActivities do.
type activityCall struct {
	name       string
	input      any
	legacyName string
	legacyArgs []any
}

// activityVersion remembers, for one workflow execution, which names its
// activities go by: taken once at its start, so that a workflow started
// before the change keeps calling the names its history holds.
type activityVersion struct{ legacy bool }

func newActivityVersion(ctx workflow.Context) activityVersion {
	return activityVersion{legacy: workflow.GetVersion(ctx, singleInputActivities, workflow.DefaultVersion, 1) == workflow.DefaultVersion}
}

func (v activityVersion) execute(ctx workflow.Context, c activityCall) workflow.Future {
	if v.legacy && c.legacyName != "" {
		return workflow.ExecuteActivity(ctx, c.legacyName, c.legacyArgs...)
	}
	return workflow.ExecuteActivity(ctx, c.name, c.input)
}

// ActivityInputs lists every activity today's workflows call with its one
// input's type, for the test that holds package activities to it.
var ActivityInputs = map[string]any{
	ScoreCreditRequestActivity:      CreditRequest{},
	ApplyCreditDecisionActivity:     ApplyDecisionInput{},
	CloseCreditRequestActivity:      CloseCreditRequestInput{},
	SendEmailActivity:               Email{},
	StartDunningActivity:            StartDunningInput{},
	SendInvoiceEmailActivity:        InvoiceEmail{},
	RecordDunningStepActivity:       StepRecord{},
	PlaceCreditHoldActivity:         HoldRequest{},
	RecordInvoicePaymentActivity:    RecordPaymentInput{},
	RecordDisputeActivity:           DisputeInput{},
	RecordDisputeResolutionActivity: ResolveDisputeInput{},
	RecordPromiseToPayActivity:      RecordPromiseInput{},
	SettlePromiseToPayActivity:      SettlePromiseInput{},
	RecordWriteOffActivity:          WriteOffInput{},
	RecordEscalationActivity:        OpenEscalationInput{},
	RecordEscalationOverdueActivity: EscalationRef{},
	RecordEscalationClosedActivity:  EscalationRef{},
	RecordAcknowledgementActivity:   AcknowledgeEscalationInput{},
	ListDueReviewsActivity:          ListDueReviewsInput{},
	StartPeriodicReviewsActivity:    StartPeriodicReviewsInput{},
	ScorePeriodicReviewActivity:     CreditRequest{},
	ApplyReviewDecisionActivity:     ApplyDecisionInput{},
	OpenReplyActivity:               ReplyRef{},
	PauseForReplyActivity:           ReplyPauseInput{},
	ResumeAfterReplyActivity:        ResumeAfterReplyInput{},
	MarkReplyReadActivity:           MarkReplyReadInput{},
	PlanDigestActivity:              PlanDigestInput{},
	ListDigestRecipientsActivity:    ListDigestRecipientsInput{},
	SendDigestActivity:              SendDigestInput{},
	RecordConditionActivity:         RecordConditionInput{},
	LapseApprovalActivity:           LapseApprovalInput{},
	ExpireLetterOfCreditActivity:    ExpireLetterOfCreditInput{},
	ChangeHoldActivity:              HoldChangeInput{},
	ResendToNewContactActivity:      ContactChangedInput{},
	RecordComplaintActivity:         Complaint{},
	JoinCustomerDayActivity:         JoinCustomerDayInput{},
	ComposeCustomerEmailActivity:    ComposeCustomerEmailInput{},
	SendCustomerEmailActivity:       CustomerEmail{},
	RecordDunningStepsActivity:      RecordStepsInput{},
}

// LegacyActivities lists the names workflows started before
// singleInputActivities call.
var LegacyActivities = []string{
	legacyApplyDecision, legacyRecordPayment, legacyOpenDispute, legacyResolveDispute, legacyRecordPromise,
	legacySettlePromise, legacyWriteOffInvoice, legacyOpenEscalation, legacyMarkEscalationOverdue,
	legacyCloseEscalation, legacyAcknowledgeEscalation,
}
