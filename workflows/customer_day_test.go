package workflows

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/email"
)

// customerDaySuite runs CustomerDayWorkflow on the time-skipping test
// environment, with fake activities that keep which invoices are paid.
type customerDaySuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	paid     map[string]bool
	sent     []CustomerEmail
	sentAt   []time.Duration // since the first step
	recorded []StepRecord
	asked    []InvoiceEmail // the rep asked for the right contact
	refuse   bool           // SendGrid refuses the billing address
	start    time.Time
}

func TestCustomerDayWorkflow(t *testing.T) { suite.Run(t, new(customerDaySuite)) }

func (s *customerDaySuite) SetupSuite() {
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(testLogOutput(), nil))))
}

func (s *customerDaySuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetTestTimeout(30 * time.Second)
	s.start = time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)
	s.env.SetStartTime(s.start)
	registerActivityStubs(s.env)
	s.paid, s.sent, s.sentAt, s.recorded, s.asked, s.refuse = map[string]bool{}, nil, nil, nil, nil, false

	s.env.OnActivity(ComposeCustomerEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ComposeCustomerEmailInput) (CustomerEmailDraft, error) {
			var d CustomerEmailDraft
			for _, st := range in.Steps {
				if s.paid[st.InvoiceID] {
					d.Dropped = append(d.Dropped, DroppedInvoice{InvoiceID: st.InvoiceID, Why: "nothing is owed any more"})
					continue
				}
				d.Owed = append(d.Owed, CustomerInvoice{InvoiceID: st.InvoiceID, Number: "N-" + st.InvoiceID,
					Balance: eur("100"), DaysPastDue: st.DaysPastDue})
			}
			return d, nil
		})
	s.env.OnActivity(SendCustomerEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, m CustomerEmail) (SentEmail, error) {
			if s.refuse {
				return SentEmail{}, temporal.NewNonRetryableApplicationError("400 invalid address", ErrTypeEmailRejected, nil)
			}
			s.sent = append(s.sent, m)
			s.sentAt = append(s.sentAt, s.env.Now().Sub(s.start))
			return SentEmail{Status: EmailSent, To: []string{"ap@customer.example"}}, nil
		})
	s.env.OnActivity(RecordDunningStepsActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in RecordStepsInput) error {
			s.recorded = append(s.recorded, in.Steps...)
			return nil
		})
	s.env.OnActivity(SendInvoiceEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e InvoiceEmail) (SentEmail, error) {
			s.asked = append(s.asked, e)
			return SentEmail{Status: EmailSent}, nil
		})
}

// day is the input the first step starts the workflow with.
func dayOfSteps() CustomerDayInput {
	return CustomerDayInput{AccountID: "acc_1", Date: "2025-02-01", Window: 10 * time.Minute}
}

func customerStep(invoice, kind string) CustomerStep {
	return CustomerStep{Key: "invoice/" + invoice + "/day-31-reminder", InvoiceID: invoice, Kind: kind, DaysPastDue: 1,
		Step: DunningStep{Day: 1, Action: "reminder"}}
}

// handOver signals a step after a delay, as JoinCustomerDay does.
func (s *customerDaySuite) handOver(after time.Duration, st CustomerStep) {
	s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(CustomerStepSignal, st) }, after)
}

func (s *customerDaySuite) run() {
	s.env.ExecuteWorkflow(CustomerDayWorkflow, dayOfSteps())
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
}

func (s *customerDaySuite) invoices(m CustomerEmail) []string {
	var ids []string
	for _, inv := range m.Invoices {
		ids = append(ids, inv.InvoiceID)
	}
	return ids
}

func (s *customerDaySuite) TestStepsOfOneDayGoOutInOneEmail() {
	for k := range 50 {
		s.handOver(time.Duration(k)*time.Second, customerStep(fmt.Sprintf("inv_%02d", k), email.KindInvoiceReminder))
	}
	s.run()

	s.Require().Len(s.sent, 1, "fifty invoices due together: one email")
	s.Len(s.sent[0].Invoices, 50)
	s.Equal(20*time.Minute, s.sentAt[0], "a window that brought the steps, then one that brought none")
	s.Equal(email.KindInvoiceReminder, s.sent[0].Kind)
	s.Require().Len(s.recorded, 50)
	for _, r := range s.recorded {
		s.Equal(s.sent[0].Key, r.EmailKey, "each step records the email it went out in")
		s.Contains(r.Step.Outcome, "sent to ap@customer.example, in one email with the account's 50 invoices of the day")
	}
	s.Contains(s.sent[0].Key, "customer-day/acc_1/2025-02-01/")
}

func (s *customerDaySuite) TestOneInvoiceReadsAsItsOwnEmail() {
	s.handOver(0, customerStep("inv_1", email.KindInvoiceReminder))
	s.run()
	s.Require().Len(s.sent, 1)
	s.Equal([]string{"inv_1"}, s.invoices(s.sent[0]))
	s.Require().Len(s.recorded, 1)
	s.Equal("sent to ap@customer.example", s.recorded[0].Step.Outcome)
}

func (s *customerDaySuite) TestAnInvoicePaidBeforeTheEmailGoesDropsOut() {
	s.handOver(0, customerStep("inv_1", email.KindInvoiceReminder))
	s.handOver(time.Second, customerStep("inv_2", email.KindFinalNotice))
	s.handOver(2*time.Second, customerStep("inv_3", email.KindInvoiceReminder))
	s.env.RegisterDelayedCallback(func() { s.paid["inv_2"] = true }, 5*time.Minute)
	s.run()

	s.Require().Len(s.sent, 1)
	s.Equal([]string{"inv_1", "inv_3"}, s.invoices(s.sent[0]))
	s.Equal(email.KindInvoiceReminder, s.sent[0].Kind, "the paid invoice's final notice does not set the tone")
	s.Require().Len(s.recorded, 3)
	for _, r := range s.recorded {
		if r.InvoiceID == "inv_2" {
			s.Equal("not sent: nothing is owed any more", r.Step.Outcome)
			s.Empty(r.EmailKey)
			continue
		}
		s.Equal(s.sent[0].Key, r.EmailKey)
	}
}

func (s *customerDaySuite) TestNothingOwedSendsNothing() {
	s.paid["inv_1"] = true
	s.handOver(0, customerStep("inv_1", email.KindInvoiceReminder))
	s.run()
	s.Empty(s.sent)
	s.Require().Len(s.recorded, 1)
	s.Equal("not sent: nothing is owed any more", s.recorded[0].Step.Outcome)
}

// TestStepsThatKeepArrivingAreWaitedFor: an import handing its steps
// over for longer than a window still sends one email, and a day whose
// steps never stop arriving is not held beyond six windows.
func (s *customerDaySuite) TestStepsThatKeepArrivingAreWaitedFor() {
	for k := range 90 {
		s.handOver(time.Duration(k)*time.Minute, customerStep(fmt.Sprintf("inv_%02d", k), email.KindInvoiceReminder))
	}
	s.run()
	s.Require().GreaterOrEqual(len(s.sent), 2)
	s.Len(s.sent[0].Invoices, 60, "the steps of the first hour")
	s.Equal(time.Hour, s.sentAt[0])
}

// TestAThousandStepsAtMostGoInOneEmail keeps what crosses the workflow's
// boundary small: 2,500 invoices in a day are three emails.
func (s *customerDaySuite) TestAThousandStepsAtMostGoInOneEmail() {
	for batch := range 25 {
		s.env.RegisterDelayedCallback(func() {
			for k := range 100 {
				s.env.SignalWorkflow(CustomerStepSignal, customerStep(fmt.Sprintf("inv_%04d", batch*100+k), email.KindInvoiceReminder))
			}
		}, time.Duration(batch)*time.Second)
	}
	s.run()
	s.Require().Len(s.sent, 3)
	s.Len(s.sent[0].Invoices, 1000)
	s.Len(s.sent[2].Invoices, 500)
	s.Len(s.recorded, 2500)
}

// TestStepsArrivingTogetherKeepTheirOwnTimes: steps received in one go
// are recorded each with the moment it was taken and its own reason,
// never the last one's.
func (s *customerDaySuite) TestStepsArrivingTogetherKeepTheirOwnTimes() {
	first, second := customerStep("inv_1", email.KindInvoiceReminder), customerStep("inv_2", email.KindInvoiceReminder)
	at1, at2 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 9, 0, 3, 0, time.UTC)
	first.Step.At, first.Step.Reason = &at1, "the customer's day-31 reminder"
	second.Step.At = &at2
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(CustomerStepSignal, first)
		s.env.SignalWorkflow(CustomerStepSignal, second)
	}, 0)
	s.run()
	s.Require().Len(s.recorded, 2)
	got := map[string]DunningStep{}
	for _, r := range s.recorded {
		got[r.InvoiceID] = r.Step
	}
	s.Equal(at1, *got["inv_1"].At)
	s.Equal(at2, *got["inv_2"].At)
	s.Equal("the customer's day-31 reminder", got["inv_1"].Reason)
	s.Empty(got["inv_2"].Reason)
}

func (s *customerDaySuite) TestTheMostPressingStepNamesTheEmail() {
	s.handOver(0, customerStep("inv_1", email.KindCourtesyNotice))
	s.handOver(0, customerStep("inv_2", email.KindFinalNotice))
	s.handOver(0, customerStep("inv_3", email.KindInvoiceReminder))
	s.run()
	s.Require().Len(s.sent, 1)
	s.Equal(email.KindFinalNotice, s.sent[0].Kind)
}

// TestALatecomerGoesOutInASecondEmail: a step that arrives after the
// day's email went (a worker far behind) is not held until tomorrow.
func (s *customerDaySuite) TestALatecomerGoesOutInASecondEmail() {
	s.handOver(0, customerStep("inv_1", email.KindInvoiceReminder))
	s.handOver(15*time.Minute, customerStep("inv_2", email.KindInvoiceReminder))
	s.run()
	s.Require().Len(s.sent, 2)
	s.Equal([]string{"inv_1"}, s.invoices(s.sent[0]))
	s.Equal([]string{"inv_2"}, s.invoices(s.sent[1]))
	s.NotEqual(s.sent[0].Key, s.sent[1].Key)
}

// TestAStepHandedOverTwiceGoesOutOnce: JoinCustomerDay retried after its
// signal arrived hands the same step again.
func (s *customerDaySuite) TestAStepHandedOverTwiceGoesOutOnce() {
	s.handOver(0, customerStep("inv_1", email.KindInvoiceReminder))
	s.handOver(time.Minute, customerStep("inv_1", email.KindInvoiceReminder))
	s.handOver(12*time.Minute, customerStep("inv_1", email.KindInvoiceReminder))
	s.run()
	s.Require().Len(s.sent, 1)
	s.Len(s.recorded, 1)
}

// TestTheSameStepsNameTheSameEmail: the outbox key is made from the steps
// the email carries, so a new run of the day's workflow with a step that
// already went out (handed over again after the workflow ended) finds
// the email already sent.
func (s *customerDaySuite) TestTheSameStepsNameTheSameEmail() {
	d := &customerDay{CustomerDayInput: dayOfSteps()}
	a, b := customerStep("inv_1", email.KindInvoiceReminder), customerStep("inv_2", email.KindInvoiceReminder)
	s.Equal(d.emailKey([]CustomerStep{a, b}), d.emailKey([]CustomerStep{b, a}))
	s.NotEqual(d.emailKey([]CustomerStep{a}), d.emailKey([]CustomerStep{a, b}))
}

func (s *customerDaySuite) TestARefusedAddressAsksTheRepOnce() {
	s.refuse = true
	s.handOver(0, customerStep("inv_1", email.KindInvoiceReminder))
	s.handOver(0, customerStep("inv_2", email.KindInvoiceReminder))
	s.run()
	s.Require().Len(s.asked, 1, "one email refused: the rep is asked once")
	s.Equal(email.KindContactMissing, s.asked[0].Kind)
	s.Contains(s.asked[0].Key, "/contact-missing")
	s.Require().Len(s.recorded, 2)
	for _, r := range s.recorded {
		s.Contains(r.Step.Outcome, "the billing address was refused")
	}
}
