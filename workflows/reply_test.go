package workflows

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
)

// replySuite runs ReplyWorkflow on the time-skipping test environment.
type replySuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env *testsuite.TestWorkflowEnvironment

	start   time.Time
	opened  ReplyOpened
	pauses  []ReplyPauseInput
	emails  []Email
	resumed []ResumeAfterReplyInput
	read    []MarkReplyReadInput
}

func TestReplyWorkflow(t *testing.T) { suite.Run(t, new(replySuite)) }

func (s *replySuite) SetupSuite() {
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(testLogOutput(), nil))))
}

func (s *replySuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetTestTimeout(30 * time.Second)
	s.start = time.Date(2025, 3, 3, 14, 0, 0, 0, time.UTC)
	s.env.SetStartTime(s.start)
	registerActivityStubs(s.env)
	s.opened = ReplyOpened{AccountID: "acc_1", SalesRep: "rep@example.com", PauseDays: 5, Day: day,
		Facts: map[string]string{"AccountName": "Acme"}}
	s.pauses, s.emails, s.resumed, s.read = nil, nil, nil, nil
	s.env.OnActivity(OpenReplyActivity, mock.Anything, mock.Anything).Return(
		func(context.Context, ReplyRef) (ReplyOpened, error) { return s.opened, nil })
	s.env.OnActivity(PauseForReplyActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ReplyPauseInput) ([]string, error) {
			s.pauses = append(s.pauses, in)
			return []string{"inv_1", "inv_2"}, nil
		})
	s.env.OnActivity(SendEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e Email) (SentEmail, error) {
			s.emails = append(s.emails, e)
			return SentEmail{Status: "sent"}, nil
		})
	s.env.OnActivity(ResumeAfterReplyActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ResumeAfterReplyInput) error {
			s.resumed = append(s.resumed, in)
			return nil
		})
	s.env.OnActivity(MarkReplyReadActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in MarkReplyReadInput) error {
			s.read = append(s.read, in)
			return nil
		})
}

func (s *replySuite) result() ReplyResult {
	s.Require().True(s.env.IsWorkflowCompleted())
	s.Require().NoError(s.env.GetWorkflowError())
	var r ReplyResult
	s.Require().NoError(s.env.GetWorkflowResult(&r))
	return r
}

func (s *replySuite) readAt(after time.Duration, by, updateID string) *callback {
	c := &callback{}
	s.env.RegisterDelayedCallback(func() {
		s.env.UpdateWorkflow(ReadReplyUpdate, updateID, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { c.rejected, c.done = err, true },
			OnComplete: func(v any, err error) { c.value, c.err, c.done = v, err, true },
		}, ReadReply{By: by})
	}, after)
	return c
}

// Nobody reads the reply: the customer's invoices are paused for the
// policy's five days, the rep is told, and the workflow ends when the
// pause does, having resumed nothing itself (the invoices' pauses end on
// their own).
func (s *replySuite) TestAnUnreadReplyPausesForFivePolicyDays() {
	s.env.ExecuteWorkflow(ReplyWorkflow, ReplyInput{ReplyID: "rpl_1"})
	r := s.result()

	s.Equal([]string{"inv_1", "inv_2"}, r.Paused)
	s.Require().Len(s.pauses, 1)
	s.Equal(s.start.Add(5*day), s.pauses[0].Until)
	s.Require().Len(s.emails, 1)
	s.Equal(email.KindCustomerReplied, s.emails[0].Kind)
	s.Equal([]string{"rep@example.com"}, s.emails[0].To)
	s.Equal("reply/rpl_1/rep", s.emails[0].Key)
	s.Empty(s.resumed)
	s.Empty(s.read)
	s.Equal(s.start.Add(5*day), s.env.Now().UTC(), "ends with the pause")
}

// Credit reads it on day 1: the invoices it paused resume at once, and
// the reader is recorded; a second read (another analyst) answers as the
// first and does nothing more.
func (s *replySuite) TestReadingTheReplyResumesAtOnce() {
	first := s.readAt(day, "analyst@example.com", "read-1")
	second := s.readAt(day+time.Minute, "credit.manager@example.com", "read-2")
	s.env.ExecuteWorkflow(ReplyWorkflow, ReplyInput{ReplyID: "rpl_1"})
	r := s.result()

	s.Require().NoError(first.err)
	s.Require().NoError(second.err)
	s.Equal("analyst@example.com", r.ReadBy)
	s.Equal([]ResumeAfterReplyInput{{ReplyID: "rpl_1", Invoices: []string{"inv_1", "inv_2"}}}, s.resumed)
	s.Require().Len(s.read, 1)
	s.Equal(s.start.Add(day), s.read[0].At)
	s.Less(s.env.Now().Sub(s.start), 2*day, "nothing waits for the five days")
}

// A reply no account could be matched to pauses nothing and tells
// nobody: it waits for an admin.
func (s *replySuite) TestAnUnmatchedReplyIsKeptForAnAdmin() {
	s.opened = ReplyOpened{PauseDays: 5, Day: day}
	s.env.ExecuteWorkflow(ReplyWorkflow, ReplyInput{ReplyID: "rpl_1"})
	r := s.result()
	s.Empty(r.AccountID)
	s.Empty(s.pauses)
	s.Empty(s.emails)
}

// ContactMissingWorkflow asks the rep once, under a key of the account
// and the address.
func TestContactMissingAsksTheRepUnderAKeyOfTheAddress(t *testing.T) {
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	registerActivityStubs(env)
	env.RegisterWorkflowWithOptions(ContactMissingWorkflow, workflow.RegisterOptions{Name: "ContactMissingWorkflow"})
	var sent []InvoiceEmail
	env.OnActivity(SendInvoiceEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e InvoiceEmail) (SentEmail, error) {
			sent = append(sent, e)
			return SentEmail{Status: "sent"}, nil
		})
	env.ExecuteWorkflow(ContactMissingWorkflow, ContactMissingInput{AccountID: "acc_1", InvoiceID: "inv_1",
		Address: "ap@customer.example", Event: "bounce", Reason: "550 no such user", EmailKey: "invoice/inv_1/day-31-reminder"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: %v", env.GetWorkflowError())
	}
	if len(sent) != 1 || sent[0].Kind != email.KindContactMissing || sent[0].InvoiceID != "inv_1" ||
		sent[0].Key != ContactMissingWorkflowID("acc_1", "ap@customer.example")+"/rep" ||
		sent[0].Reason != "our email to ap@customer.example bounced: 550 no such user" {
		t.Fatalf("sent %+v", sent)
	}
}
