package workflows

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
)

// invoiceSuite runs InvoiceWorkflow (and its escalations) on the
// time-skipping test environment. The activities are fakes that keep the
// invoice's balance, so that a customer email is skipped once nothing is
// owed, as the real activity does after re-reading the invoice.
type invoiceSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	issue   time.Time // 10:00 UTC on the issue date: the workflow starts then
	segment string
	balance int64
	held    bool
	emails  []invoiceEmail
	steps   []StepRecord
	settled []string
	acks    []Acknowledgement
	joins   []JoinCustomerDayInput // customer steps handed to the account's email of the day
	closed  []string               // escalations closed because their invoice was settled
	updates int
}

// invoiceEmail is one email, on the calendar day of the invoice it went
// out (day 31: the day after a net-30 due date).
type invoiceEmail struct {
	Kind string
	Day  int
}

func TestInvoiceWorkflow(t *testing.T) { suite.Run(t, new(invoiceSuite)) }

func (s *invoiceSuite) SetupSuite() {
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(testLogOutput(), nil))))
}

func (s *invoiceSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetTestTimeout(30 * time.Second)
	s.issue = time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	s.env.SetStartTime(s.issue)
	registerActivityStubs(s.env)
	s.env.RegisterWorkflowWithOptions(EscalationWorkflow, workflow.RegisterOptions{Name: "EscalationWorkflow"})
	s.segment, s.balance, s.held = policy.SegmentStandard, 100000, false
	s.emails, s.steps, s.settled, s.acks, s.closed, s.joins = nil, nil, nil, nil, nil, nil

	s.env.OnActivity(StartDunningActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in StartDunningInput) (DunningPlan, error) {
			issue, due := policy.ParseDate(in.Invoice.IssueDate), policy.ParseDate(in.Invoice.DueDate)
			return DunningPlanOf(policy.Default().Dunning.Plan(s.segment, issue, due, in.Now, time.UTC, day)), nil
		})
	s.env.OnActivity(RecordDunningStepActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r StepRecord) error {
			s.steps = append(s.steps, r)
			return nil
		})
	s.env.OnActivity(PlaceCreditHoldActivity, mock.Anything, mock.Anything).Return(
		func(context.Context, HoldRequest) (bool, error) {
			put := !s.held
			s.held = true
			return put, nil
		})
	settle := func(minor int64) (Settlement, error) {
		s.balance -= minor
		released := s.held && s.balance == 0
		if released {
			s.held = false
		}
		return Settlement{Released: released}, nil
	}
	s.env.OnActivity(RecordInvoicePaymentActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in RecordPaymentInput) (Settlement, error) {
			return settle(in.Payment.Amount.Minor)
		})
	s.env.OnActivity(RecordDisputeResolutionActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ResolveDisputeInput) (Settlement, error) {
			if in.Resolution.CreditNote == nil {
				return settle(0)
			}
			return settle(in.Resolution.CreditNote.Minor)
		})
	s.env.OnActivity(RecordWriteOffActivity, mock.Anything, mock.Anything).Return(
		func(context.Context, WriteOffInput) (Settlement, error) { return settle(s.balance) })
	s.env.OnActivity(RecordDisputeActivity, mock.Anything, mock.Anything).Return(nil)
	s.env.OnActivity(RecordPromiseToPayActivity, mock.Anything, mock.Anything).Return(nil)
	s.env.OnActivity(SettlePromiseToPayActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in SettlePromiseInput) error {
			s.settled = append(s.settled, in.Status)
			return nil
		})
	s.env.OnActivity(RecordEscalationActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in OpenEscalationInput) (Escalation, error) {
			e := in.Escalation
			e.SalesRep = "rep@example.com"
			return e, nil
		})
	s.env.OnActivity(RecordEscalationOverdueActivity, mock.Anything, mock.Anything).Return(nil)
	s.env.OnActivity(RecordEscalationClosedActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in EscalationRef) error {
			s.closed = append(s.closed, in.EscalationID)
			return nil
		})
	s.env.OnActivity(RecordAcknowledgementActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in AcknowledgeEscalationInput) (Escalation, error) {
			s.acks = append(s.acks, in.Acknowledgement)
			return Escalation{ID: in.EscalationID, Status: EscalationAcknowledged}, nil
		})
}

// sendsEmails installs the fake email activity; slow reminders take an
// hour, to let a payment arrive while one is being sent.
func (s *invoiceSuite) sendsEmails(slowReminders bool) {
	send := func(_ context.Context, e InvoiceEmail) (SentEmail, error) {
		customer := e.Kind == email.KindCourtesyNotice || e.Kind == email.KindInvoiceReminder || e.Kind == email.KindFinalNotice
		if customer && s.balance == 0 {
			return SentEmail{Status: EmailSkipped}, nil
		}
		s.emails = append(s.emails, invoiceEmail{e.Kind, s.calendarDay()})
		return SentEmail{Status: "sent", To: []string{"billing@example.com"}}, nil
	}
	if slowReminders {
		s.env.OnActivity(SendInvoiceEmailActivity, mock.Anything, mock.MatchedBy(func(e InvoiceEmail) bool {
			return e.Kind == email.KindInvoiceReminder
		})).After(time.Hour).Return(send)
	}
	s.env.OnActivity(SendInvoiceEmailActivity, mock.Anything, mock.Anything).Return(send)
	s.joinsDayEmails(slowReminders)
}

// joinsDayEmails installs a fake hand-over to the account's email of the
// day that does what that email does for this invoice alone: re-reads the
// balance, sends (or skips) and records the step. Slow reminders take an
// hour, as in sendsEmails.
func (s *invoiceSuite) joinsDayEmails(slowReminders bool) {
	join := func(_ context.Context, in JoinCustomerDayInput) error {
		s.joins = append(s.joins, in)
		r := StepRecord{Key: in.Step.Key, InvoiceID: in.Step.InvoiceID, Step: in.Step.Step}
		if s.balance == 0 {
			r.Step.Outcome = "not sent: nothing is owed any more"
		} else {
			s.emails = append(s.emails, invoiceEmail{in.Step.Kind, s.calendarDay()})
			r.Step.Outcome, r.EmailKey = "sent to billing@example.com", CustomerDayWorkflowID(in.Day.AccountID, in.Day.Date)+"/x"
		}
		s.steps = append(s.steps, r)
		return nil
	}
	if slowReminders {
		s.env.OnActivity(JoinCustomerDayActivity, mock.Anything, mock.MatchedBy(func(in JoinCustomerDayInput) bool {
			return in.Step.Kind == email.KindInvoiceReminder
		})).After(time.Hour).Return(join)
	}
	s.env.OnActivity(JoinCustomerDayActivity, mock.Anything, mock.Anything).Return(join)
}

func (s *invoiceSuite) calendarDay() int {
	return int(s.env.Now().Truncate(day).Sub(s.issue.Truncate(day)) / day)
}

// at is 10:00 UTC on calendar day n of the invoice (plus extra).
func (s *invoiceSuite) at(n int, extra ...time.Duration) time.Duration {
	d := time.Duration(n) * day
	for _, e := range extra {
		d += e
	}
	return d
}

func net30() InvoiceInput {
	return InvoiceInput{Invoice: Invoice{
		ID: "inv_1", AccountID: "acc_1", Number: "2025-0001", Amount: eur("1000"), Balance: eur("1000"),
		Status: InvoiceOpen, IssueDate: "2025-01-01", DueDate: "2025-01-31",
	}}
}

// callback records the answer of an update sent at a business moment.
type callback struct {
	rejected, err error
	value         any
	done          bool
}

func (s *invoiceSuite) updateAt(after time.Duration, workflowID, name string, arg any) *callback {
	c := &callback{}
	s.updates++
	id := fmt.Sprintf("update-%d", s.updates)
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflowByID(workflowID, name, id, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { c.rejected, c.done = err, true },
			OnComplete: func(v any, err error) { c.value, c.err, c.done = v, err, true },
		}, arg)
	}, after)
	return c
}

func (s *invoiceSuite) payAt(after time.Duration, amount string) *callback {
	return s.updateAt(after, "default-test-workflow-id", PaymentUpdate,
		Payment{ID: "pay_" + amount, Amount: eur(amount), ReceivedAt: s.issue.Add(after), By: "analyst@example.com"})
}

func (s *invoiceSuite) result() Invoice {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var inv Invoice
	s.Require().NoError(s.env.GetWorkflowResult(&inv))
	return inv
}

// TestEachSegmentOverNinetyDays: an invoice nobody pays for 90 days
// follows its segment's steps exactly, then the payment ends it all.
func (s *invoiceSuite) TestEachSegmentOverNinetyDays() {
	for _, tc := range []struct {
		segment string
		want    []invoiceEmail
	}{
		{policy.SegmentPrompt, []invoiceEmail{
			{"invoice_reminder", 31}, {"sales_escalation", 40}, {"escalation_overdue", 43},
			{"credit_hold", 60}, {"hold_released", 90}, {"payment_received", 90},
		}},
		{policy.SegmentStandard, []invoiceEmail{
			{"courtesy_notice", 27}, {"invoice_reminder", 31}, {"invoice_reminder", 37},
			{"sales_escalation", 44}, {"escalation_overdue", 47},
			{"final_notice", 60}, {"credit_hold", 60}, {"hold_released", 90}, {"payment_received", 90},
		}},
		{policy.SegmentSlow, []invoiceEmail{
			{"courtesy_notice", 23}, {"courtesy_notice", 29}, {"invoice_reminder", 31}, {"invoice_reminder", 35},
			{"sales_escalation", 40}, {"escalation_overdue", 43},
			{"final_notice", 51}, {"credit_hold", 51}, {"hold_released", 90}, {"payment_received", 90},
		}},
	} {
		s.Run(tc.segment, func() {
			s.SetupTest()
			s.segment = tc.segment
			s.sendsEmails(false)
			s.payAt(s.at(90), "1000")
			s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
			inv := s.result()
			s.Equal(InvoicePaid, inv.Status)
			s.Equal(tc.segment, inv.Segment)
			s.Equal(tc.want, s.emails)
		})
	}
}

func (s *invoiceSuite) TestPromptPayerGetsOneReminderOnDay31() {
	s.segment = policy.SegmentPrompt
	s.sendsEmails(false)
	s.payAt(s.at(33), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.Equal(InvoicePaid, s.result().Status)
	s.Equal([]invoiceEmail{{"invoice_reminder", 31}}, s.emails, "one reminder on day 31, nothing before, nothing to the rep")
	s.Require().Len(s.steps, 1)
	s.Equal("invoice/inv_1/day-31-reminder", s.steps[0].Key)
}

// TestRefusedBillingAddressAsksTheRepForTheContact: SendGrid refuses the
// billing address for good; the rep is asked for the right one, and the
// step says what happened. (An invoice that started before customer
// emails went out as one a day writes its own; the day's email does the
// same for its invoices: TestARefusedAddressAsksTheRepOnce.)
func (s *invoiceSuite) TestRefusedBillingAddressAsksTheRepForTheContact() {
	s.env.OnGetVersion(oneEmailADay, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	s.segment = policy.SegmentPrompt
	s.env.OnActivity(SendInvoiceEmailActivity, mock.Anything, mock.MatchedBy(func(e InvoiceEmail) bool {
		return e.Kind == email.KindInvoiceReminder
	})).Return(SentEmail{}, temporal.NewNonRetryableApplicationError(
		"sendgrid refused the message: 400 invalid address", ErrTypeEmailRejected, nil))
	s.sendsEmails(false)
	s.payAt(s.at(33), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.result()
	s.Equal([]invoiceEmail{{"contact_missing", 31}}, s.emails)
	s.Require().Len(s.steps, 1)
	s.Contains(s.steps[0].Step.Outcome, "the billing address was refused")
}

func (s *invoiceSuite) TestCustomerStepsGoOutAtNineInTheMorning() {
	s.segment = policy.SegmentPrompt
	var sentAt time.Time
	s.env.OnActivity(JoinCustomerDayActivity, mock.Anything, mock.Anything).Return(
		func(context.Context, JoinCustomerDayInput) error {
			sentAt = s.env.Now()
			return nil
		})
	s.payAt(s.at(32), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()
	s.Equal(time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC), sentAt.UTC())
}

// TestCustomerStepsJoinTheAccountsEmailOfTheirDay: each customer step is
// handed to the account's email of its calendar day, which records it;
// the invoice itself sends and records nothing for it. Steps of different
// days join different emails.
func (s *invoiceSuite) TestCustomerStepsJoinTheAccountsEmailOfTheirDay() {
	s.segment = policy.SegmentStandard
	s.env.OnActivity(SendInvoiceEmailActivity, mock.Anything, mock.Anything).Return(SentEmail{Status: EmailSent}, nil)
	s.env.OnActivity(JoinCustomerDayActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in JoinCustomerDayInput) error {
			s.joins = append(s.joins, in)
			return nil
		})
	s.payAt(s.at(32), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()

	s.Require().Len(s.joins, 2, "the courtesy notice and the reminder")
	courtesy, reminder := s.joins[0], s.joins[1]
	s.Equal(CustomerDayInput{AccountID: "acc_1", Date: "2025-01-28", Window: 10 * time.Minute}, courtesy.Day)
	s.Equal(CustomerDayInput{AccountID: "acc_1", Date: "2025-02-01", Window: 10 * time.Minute}, reminder.Day)
	s.Equal("invoice/inv_1/day-27-courtesy_notice", courtesy.Step.Key)
	s.Equal(email.KindCourtesyNotice, courtesy.Step.Kind)
	s.Equal(-3, courtesy.Step.DaysPastDue)
	s.Equal("invoice/inv_1/day-31-reminder", reminder.Step.Key)
	s.Equal(email.KindInvoiceReminder, reminder.Step.Kind)
	s.Equal(1, reminder.Step.DaysPastDue)
	s.Equal("reminder", reminder.Step.Step.Action)
	s.Empty(s.steps, "the day's email records the steps, with the email they went out in")
}

// TestAStepMovedByADisputeJoinsTheEmailOfTheDayItFallsOn: a dispute of
// five days moves the reminder to day 36, whose email it joins.
func (s *invoiceSuite) TestAStepMovedByADisputeJoinsTheEmailOfTheDayItFallsOn() {
	s.segment = policy.SegmentPrompt
	s.sendsEmails(false)
	dispute := DisputeInput{Dispute: Dispute{ID: "dsp_1", Reason: "wrong quantity", Department: "sales", OwnerEmail: "rep@example.com"}, By: "rep@example.com"}
	s.updateAt(s.at(29), "default-test-workflow-id", DisputeUpdate, dispute)
	s.updateAt(s.at(34), "default-test-workflow-id", ResolveDisputeUpdate, DisputeResolution{DisputeID: "dsp_1", Resolution: "explained"})
	s.payAt(s.at(40), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()
	s.Require().Len(s.joins, 1)
	s.Equal("2025-02-06", s.joins[0].Day.Date)
}

// TestALateImportJoinsTodaysEmail: an invoice imported after its reminder
// day sends the reminder in the email of the day it arrives.
func (s *invoiceSuite) TestALateImportJoinsTodaysEmail() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	s.payAt(s.at(1), "1000")
	in := net30()
	in.Invoice.IssueDate, in.Invoice.DueDate = "2024-11-01", "2024-12-01" // 61 days old on 2025-01-01
	s.env.ExecuteWorkflow(InvoiceWorkflow, in)
	s.result()
	s.Require().Len(s.joins, 1, "only the latest passed customer step")
	s.Equal("2025-01-01", s.joins[0].Day.Date)
	s.Equal(email.KindFinalNotice, s.joins[0].Step.Kind)
}

func (s *invoiceSuite) TestPaymentWhileTheReminderIsBeingSentStopsEverything() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(true)
	// Day 31: the reminder activity starts at 09:00 and takes an hour;
	// the payment comes at 09:30.
	paid := s.payAt(s.at(30, 23*time.Hour+30*time.Minute), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.Equal(InvoicePaid, s.result().Status)
	s.NoError(paid.err)
	s.Equal([]invoiceEmail{{"courtesy_notice", 27}}, s.emails, "the reminder re-checks the balance and is not sent; nothing follows")
}

func (s *invoiceSuite) TestPartialPaymentThenTheRest() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	first := s.payAt(s.at(20), "400")
	s.payAt(s.at(33), "600")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.Equal(InvoicePaid, s.result().Status)
	s.Require().NoError(first.err)
	s.Equal("600.00", first.value.(Invoice).Balance.Amount().String(), "a partial payment lowers the balance")
	s.Equal([]invoiceEmail{{"courtesy_notice", 27}, {"invoice_reminder", 31}}, s.emails, "a partial payment does not stop reminders")
}

func (s *invoiceSuite) TestPaymentAboveTheBalanceIsRefused() {
	s.sendsEmails(false)
	tooMuch := s.payAt(s.at(5), "1000.01")
	s.payAt(s.at(6), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()
	requireErrorType(s.T(), ErrTypeInvalid, tooMuch.rejected, tooMuch.err)
}

// TestPromiseBeyondThePolicysHorizonIsRefused: a promise may be dated at
// most 90 days ahead (max_promise_days).
func (s *invoiceSuite) TestPromiseBeyondThePolicysHorizonIsRefused() {
	s.sendsEmails(false)
	// Day 5 is 2025-01-06; 90 days later is 2025-04-06.
	tooFar := s.updateAt(s.at(5), "default-test-workflow-id", PromiseUpdate,
		PromiseToPay{PromisedDate: "2025-04-07", Amount: eur("1000"), By: "rep@example.com"})
	farthest := s.updateAt(s.at(5, time.Minute), "default-test-workflow-id", PromiseUpdate,
		PromiseToPay{PromisedDate: "2025-04-06", Amount: eur("1000"), By: "rep@example.com"})
	s.payAt(s.at(6), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()
	requireErrorType(s.T(), ErrTypeInvalid, tooFar.rejected, tooFar.err)
	s.Require().NoError(farthest.rejected)
	s.Require().NoError(farthest.err)
}

// TestDisputeExactlyAtAStepMovesItNotDoublesIt: disputed at 09:00 on day
// 31, the moment of the reminder; resolved 5 days later. Whichever came
// first, the reminder goes out once, and the later steps move by 5 days.
func (s *invoiceSuite) TestDisputeExactlyAtAStepMovesItNotDoublesIt() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	s.updateAt(s.at(30, 23*time.Hour), "default-test-workflow-id", DisputeUpdate, DisputeInput{
		Dispute: Dispute{ID: "dsp_1", Reason: "wrong quantity", Department: "logistics", OwnerEmail: "ops@example.com"},
		By:      "analyst@example.com",
	})
	resolved := s.updateAt(s.at(35, 23*time.Hour), "default-test-workflow-id", ResolveDisputeUpdate,
		DisputeResolution{DisputeID: "dsp_1", Resolution: "quantity confirmed"})
	s.payAt(s.at(50), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.result()
	s.NoError(resolved.err)
	reminders := 0
	for _, e := range s.emails {
		if e.Kind == email.KindInvoiceReminder {
			reminders++
		}
	}
	s.Equal(2, reminders, "the day-31 reminder once, and the second reminder, moved")
	s.Contains(s.emails, invoiceEmail{"dispute_opened", 31})
	s.Contains(s.emails, invoiceEmail{"invoice_reminder", 42}, "day 37 moved by the 5 days of the dispute")
	s.Contains(s.emails, invoiceEmail{"sales_escalation", 49}, "day 44 moved by 5 days")
}

func (s *invoiceSuite) TestDisputeOnAPaidInvoiceIsAConflict() {
	s.sendsEmails(false)
	s.payAt(s.at(10), "1000")
	// In the same workflow task as the payment: once the workflow has
	// ended, the API refuses on the stored status instead.
	late := s.updateAt(s.at(10), "default-test-workflow-id", DisputeUpdate, DisputeInput{
		Dispute: Dispute{ID: "dsp_1", Reason: "late", Department: "billing", OwnerEmail: "ops@example.com"},
	})
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()
	s.Require().True(late.done)
	requireErrorType(s.T(), ErrTypeConflict, late.rejected, late.err)
}

func (s *invoiceSuite) TestCreditNoteSettlesTheInvoice() {
	s.sendsEmails(false)
	s.updateAt(s.at(10), "default-test-workflow-id", DisputeUpdate, DisputeInput{
		Dispute: Dispute{ID: "dsp_1", Reason: "damaged", Department: "logistics", OwnerEmail: "ops@example.com"},
	})
	note := eur("1000")
	s.updateAt(s.at(12), "default-test-workflow-id", ResolveDisputeUpdate,
		DisputeResolution{DisputeID: "dsp_1", Resolution: "goods returned", CreditNote: &note})
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.Equal(InvoicePaid, s.result().Status)
	s.Equal([]invoiceEmail{{"dispute_opened", 10}}, s.emails)
}

func (s *invoiceSuite) TestKeptPromiseHoldsRemindersUntilThePromisedDate() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	s.updateAt(s.at(29), "default-test-workflow-id", PromiseUpdate,
		PromiseToPay{PromisedDate: "2025-02-10", Amount: eur("1000"), By: "rep@example.com"})
	s.payAt(s.at(40), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.Equal(InvoicePaid, s.result().Status)
	s.Equal([]invoiceEmail{{"courtesy_notice", 27}}, s.emails, "no reminder while the promise runs")
	s.Equal([]string{"kept"}, s.settled)
}

func (s *invoiceSuite) TestBrokenPromiseEscalatesAtOnce() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	s.updateAt(s.at(29), "default-test-workflow-id", PromiseUpdate,
		PromiseToPay{PromisedDate: "2025-02-05", Amount: eur("1000"), By: "rep@example.com"})
	s.payAt(s.at(40), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.result()
	s.Equal([]string{"broken"}, s.settled)
	// Paused from day 29 10:00 to the end of day 35 (Feb 5): 7 days.
	s.Equal([]invoiceEmail{
		{"courtesy_notice", 27}, {"sales_escalation", 36}, {"invoice_reminder", 38}, {"escalation_overdue", 39},
		{"payment_received", 40},
	}, s.emails, "escalated the day after the promised date; the day-31 reminder moved by the 7 days of the promise")
	s.Equal([]string{"esc_1_1"}, s.closed, "the payment closes the unacknowledged escalation")
}

func (s *invoiceSuite) TestAcknowledgementWithAPauseHoldsCustomerReminders() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	// Day 44: escalated. Day 45: the rep acknowledges and pauses reminders
	// until Feb 20 (day 50, inclusive).
	ack := s.updateAt(s.at(45), "escalation/esc_1_1", AcknowledgeUpdate, Acknowledgement{
		Note: "talked to their CFO, paying on the 20th", PauseUntil: "2025-02-20",
		By: Decider{Email: "rep@example.com", Role: RoleSales},
	})
	s.payAt(s.at(80), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.result()
	s.Require().True(ack.done)
	s.NoError(ack.rejected)
	s.NoError(ack.err)
	s.Require().Len(s.acks, 1)
	s.Equal([]invoiceEmail{
		{"courtesy_notice", 27}, {"invoice_reminder", 31}, {"invoice_reminder", 37}, {"sales_escalation", 44},
		{"credit_hold", 60}, {"final_notice", 66}, {"hold_released", 80}, {"payment_received", 80},
	}, s.emails, "no overdue escalation; the hold keeps its day, the final notice moves by the 6 days of the pause")
	s.Empty(s.closed, "an acknowledged escalation is over already")
}

func (s *invoiceSuite) TestAcknowledgementRules() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	rep := Decider{Email: "rep@example.com", Role: RoleSales}
	other := s.updateAt(s.at(45), "escalation/esc_1_1", AcknowledgeUpdate,
		Acknowledgement{Note: "mine", By: Decider{Email: "rep2@example.com", Role: RoleSales}})
	tooLong := s.updateAt(s.at(45, time.Minute), "escalation/esc_1_1", AcknowledgeUpdate,
		Acknowledgement{Note: "long pause", PauseUntil: "2025-03-02", By: rep})
	ok := s.updateAt(s.at(45, 2*time.Minute), "escalation/esc_1_1", AcknowledgeUpdate,
		Acknowledgement{Note: "on it", PauseUntil: "2025-02-28", By: rep})
	twice := s.updateAt(s.at(45, 2*time.Minute), "escalation/esc_1_1", AcknowledgeUpdate,
		Acknowledgement{Note: "again", By: rep})
	s.payAt(s.at(50), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()

	requireErrorType(s.T(), ErrTypeForbidden, other.rejected, other.err)
	requireErrorType(s.T(), ErrTypeInvalid, tooLong.rejected, tooLong.err)
	s.NoError(ok.rejected)
	s.NoError(ok.err)
	requireErrorType(s.T(), ErrTypeConflict, twice.rejected, twice.err)
}

// TestLateImportSendsOnlyTheLatestPassedReminder: an invoice issued 40
// days ago arrives today; the courtesy notice and the day-31 reminder are
// not replayed, only the second reminder goes out.
func (s *invoiceSuite) TestLateImportSendsOnlyTheLatestPassedReminder() {
	s.segment = policy.SegmentStandard
	s.sendsEmails(false)
	in := net30()
	in.Invoice.IssueDate, in.Invoice.DueDate = "2024-11-22", "2024-12-22" // 40 days before 2025-01-01
	s.payAt(s.at(10), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, in)

	s.result()
	s.Equal([]invoiceEmail{{"invoice_reminder", 0}, {"sales_escalation", 4}, {"escalation_overdue", 7}, {"payment_received", 10}},
		s.emails, "day 40: the second reminder at once; day 44: escalation as planned")
	s.Require().NotEmpty(s.steps)
	s.Equal("second_reminder", s.steps[0].Step.Action)
}

func (s *invoiceSuite) TestLateImportTakesPassedEscalationAndHold() {
	s.segment = policy.SegmentPrompt
	s.sendsEmails(false)
	in := net30()
	in.Invoice.IssueDate, in.Invoice.DueDate = "2024-10-23", "2024-11-22" // 70 days old
	s.payAt(s.at(1), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, in)

	s.result()
	// The escalation's email comes from its own workflow, concurrently.
	s.ElementsMatch([]invoiceEmail{{"sales_escalation", 0}, {"credit_hold", 0}, {"invoice_reminder", 0},
		{"hold_released", 1}, {"payment_received", 1}}, s.emails)
}

func (s *invoiceSuite) TestWriteOffIsForCreditManagers() {
	s.sendsEmails(false)
	analystTry := s.updateAt(s.at(5), "default-test-workflow-id", WriteOffUpdate, WriteOff{By: analyst})
	done := s.updateAt(s.at(6), "default-test-workflow-id", WriteOffUpdate, WriteOff{Reason: "insolvent", By: manager})
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.Equal(InvoiceWrittenOff, s.result().Status)
	requireErrorType(s.T(), ErrTypeForbidden, analystTry.rejected, analystTry.err)
	s.NoError(done.err)
	s.Empty(s.emails)
}

func (s *invoiceSuite) TestStatusQueryNamesTheNextStepAndWhy() {
	s.segment = policy.SegmentPrompt
	s.sendsEmails(false)
	var seen Invoice
	s.env.RegisterDelayedCallback(func() {
		v, err := s.env.QueryWorkflow(StatusQuery)
		s.Require().NoError(err)
		s.Require().NoError(v.Get(&seen))
	}, s.at(32))
	s.payAt(s.at(33), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())
	s.result()

	s.Equal(2, seen.DaysOverdue)
	s.Require().NotNil(seen.NextStep)
	s.Equal("escalate", seen.NextStep.Action)
	s.True(strings.HasPrefix(seen.NextStep.Reason, "prompt segment: escalate 10 days after the due date"), seen.NextStep.Reason)
	s.Require().Len(seen.StepsTaken, 1)
	s.Equal("reminder", seen.StepsTaken[0].Action)
}

func testLogOutput() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}
