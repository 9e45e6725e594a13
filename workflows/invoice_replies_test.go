package workflows

import (
	"github.com/creditflow/creditflow/policy"
)

// A customer's reply on day 30 (10:00) pauses the prompt payer's day-31
// reminder for five policy days: it goes out on day 36, at 09:00 as
// planned, once; escalation and hold steps are not held.
func (s *invoiceSuite) TestAReplyPausesTheRemindersForFiveDays() {
	s.segment = policy.SegmentPrompt
	s.sendsEmails(false)
	paused := s.updateAt(s.at(30), "default-test-workflow-id", ReplyPauseUpdate,
		ReplyPause{ReplyID: "rpl_1", Until: s.issue.Add(s.at(35))})
	s.payAt(s.at(39), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.result()
	s.Require().True(paused.done)
	s.Require().NoError(paused.err)
	s.Equal([]invoiceEmail{{"invoice_reminder", 36}}, s.emails, "moved by the five days of the pause, not dropped")
	s.Require().Len(s.steps, 1)
	s.Equal("invoice/inv_1/day-31-reminder", s.steps[0].Key, "the step keeps its key: it is the same step, moved")
}

// Marking the reply read on day 32 ends the pause: the reminder moves by
// the two whole days it lasted.
func (s *invoiceSuite) TestReadingTheReplyResumesTheReminders() {
	s.segment = policy.SegmentPrompt
	s.sendsEmails(false)
	s.updateAt(s.at(30), "default-test-workflow-id", ReplyPauseUpdate,
		ReplyPause{ReplyID: "rpl_1", Until: s.issue.Add(s.at(35))})
	read := s.updateAt(s.at(32), "default-test-workflow-id", ReplyReadUpdate, ReplyRead{ReplyID: "rpl_1"})
	s.payAt(s.at(35), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.result()
	s.Require().NoError(read.err)
	s.Equal([]invoiceEmail{{"invoice_reminder", 33}}, s.emails)
}

// The same reply's pause sent again (a retried activity under another
// update id, days later) is not doubled; another reply's read ends
// nothing.
func (s *invoiceSuite) TestTheSameReplyNeverPausesTwice() {
	s.segment = policy.SegmentPrompt
	s.sendsEmails(false)
	s.updateAt(s.at(30), "default-test-workflow-id", ReplyPauseUpdate,
		ReplyPause{ReplyID: "rpl_1", Until: s.issue.Add(s.at(35))})
	s.updateAt(s.at(33), "default-test-workflow-id", ReplyPauseUpdate,
		ReplyPause{ReplyID: "rpl_1", Until: s.issue.Add(s.at(38))})
	s.updateAt(s.at(31), "default-test-workflow-id", ReplyReadUpdate, ReplyRead{ReplyID: "rpl_other"})
	s.payAt(s.at(39), "1000")
	s.env.ExecuteWorkflow(InvoiceWorkflow, net30())

	s.result()
	s.Equal([]invoiceEmail{{"invoice_reminder", 36}}, s.emails)
}
