package workflows

import (
	"context"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"
)

// letterOfCredit approves limit on a letter of credit valid until the
// date days after the test's start.
func (s *creditRequestSuite) letterOfCredit(limit string, days int) DecisionInput {
	l, amount := eur(limit), eur("20000")
	return DecisionInput{Outcome: OutcomeApproveWithConditions, ApprovedLimit: &l, By: analyst, Conditions: []Condition{
		{Type: ConditionLetterOfCredit, Amount: &amount, ExpiresOn: s.dateAfter(days)},
	}}
}

// dateAfter is the calendar date days after the test's start (UTC).
func (s *creditRequestSuite) dateAfter(days int) string {
	return s.start.UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

func metUntil(n int, expiresOn string) ConditionInput {
	return ConditionInput{N: n, Status: ConditionMet, Note: "letter received", ExpiresOn: expiresOn, By: analyst}
}

// expiries records the letters ExpireLetterOfCredit was asked to expire,
// on their policy day, and answers whether the account is open: closed
// from closedFrom on.
func (s *creditRequestSuite) expiries(closedFrom int) *[]int {
	var days []int
	s.env.OnActivity(ExpireLetterOfCreditActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ExpireLetterOfCreditInput) (ExpireLetterOfCreditResult, error) {
			days = append(days, s.policyDay())
			return ExpireLetterOfCreditResult{Open: s.policyDay() < closedFrom}, nil
		})
	return &days
}

// letterEmails are the days the letter of credit emails went out on.
func (s *creditRequestSuite) letterEmails() []sentEmail {
	var out []sentEmail
	for _, e := range s.emails {
		if e.Kind == "letter_of_credit_expiring" {
			out = append(out, e)
		}
	}
	return out
}

// A letter of credit valid for 90 days holds the approval once met:
// credit and the rep hear 30 days before it expires; at its expiry the
// condition is pending again (no order ships) and they hear of it; a new
// letter met with its expiry holds the approval again, and is followed in
// turn, until its expiry finds the account closed.
func (s *creditRequestSuite) TestALetterOfCreditIsFollowedUntilItExpires() {
	s.scoredAs(ScoreReview)
	recorded, lapsed := s.recordConditions()
	expired := s.expiries(300)
	s.updateAt(0, DecisionUpdate, s.letterOfCredit("40000", 90))
	s.updateAt(day, ConditionUpdate, settle(0, ConditionMet, analyst))
	again := s.updateAt(95*day, ConditionUpdate, settle(0, ConditionMet, analyst))
	renewed := s.updateAt(96*day, ConditionUpdate, metUntil(0, s.dateAfter(400)))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	r := s.result()
	s.Equal([]int{90, 400}, *expired, "both letters expire on their date, the second finding the account closed")
	s.Equal(400, s.policyDay(), "the workflow ends when the account no longer needs the letter")
	requireErrorType(s.T(), ErrTypeInvalid, again.rejected, again.err) // a new letter comes with its expiry
	s.NoError(renewed.err)
	s.Empty(*lapsed)
	s.Require().Len(*recorded, 2)
	s.Equal("condition/0/met/"+s.dateAfter(400), (*recorded)[1].Event)
	s.Equal(s.dateAfter(400), r.Decision.Conditions[0].ExpiresOn)
	s.Equal(ConditionMet, r.Decision.Conditions[0].Status)
	s.Equal([]sentEmail{
		{"letter_of_credit_expiring", 60, []string{"rep@example.com"}, AudienceCreditTeam},
		{"letter_of_credit_expiring", 90, []string{"rep@example.com"}, AudienceCreditTeam},
		{"letter_of_credit_expiring", 370, []string{"rep@example.com"}, AudienceCreditTeam},
	}, s.letterEmails())
}

// A letter renewed before it expires is never pending: the renewal's
// expiry replaces the old one's, and its notice comes 30 days before it.
func (s *creditRequestSuite) TestARenewedLetterOfCreditNeverExpires() {
	s.scoredAs(ScoreReview)
	s.recordConditions()
	expired := s.expiries(0)
	s.updateAt(0, DecisionUpdate, s.letterOfCredit("40000", 90))
	s.updateAt(day, ConditionUpdate, settle(0, ConditionMet, analyst))
	earlier := s.updateAt(70*day, ConditionUpdate, metUntil(0, s.dateAfter(80)))
	waived := s.updateAt(70*day, ConditionUpdate, ConditionInput{N: 0, Status: ConditionWaived, ExpiresOn: s.dateAfter(200), By: manager})
	s.updateAt(71*day, ConditionUpdate, metUntil(0, s.dateAfter(200)))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.result()
	requireErrorType(s.T(), ErrTypeInvalid, earlier.rejected, earlier.err)
	requireErrorType(s.T(), ErrTypeInvalid, waived.rejected, waived.err)
	s.Equal([]int{200}, *expired, "only the renewal expires, on its date, the account closed")
	var days []int
	for _, e := range s.letterEmails() {
		days = append(days, e.Day)
	}
	s.Equal([]int{60, 170}, days)
}

// An expired letter that no new one replaces lapses the approval as an
// unmet condition does: the rep is reminded every 7 days from the
// expiry, and 60 days after it the limit goes back.
func (s *creditRequestSuite) TestAnExpiredLetterOfCreditLapsesTheApprovalWhenNoNewOneComes() {
	s.scoredAs(ScoreReview)
	_, lapsed := s.recordConditions()
	s.expiries(1000)
	s.updateAt(0, DecisionUpdate, s.letterOfCredit("40000", 90))
	s.updateAt(day, ConditionUpdate, settle(0, ConditionMet, analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	r := s.result()
	s.Equal(StatusLapsed, r.Status)
	s.Len(*lapsed, 1)
	s.Equal(150, s.policyDay())
	var reminders []int
	for _, e := range s.emails {
		if e.Kind == "conditions_pending" {
			reminders = append(reminders, e.Day)
		}
	}
	s.Equal([]int{97, 104, 111, 118, 125, 132, 139, 146}, reminders)
	s.Equal(ConditionLapsed, r.Decision.Conditions[0].Status)
}

// Only a letter of credit has an expiry.
func (s *creditRequestSuite) TestOnlyALetterOfCreditTakesAnExpiry() {
	s.scoredAs(ScoreReview)
	s.recordConditions()
	s.updateAt(0, DecisionUpdate, withConditions("40000", analyst))
	deposit := s.updateAt(day, ConditionUpdate, metUntil(0, s.dateAfter(100)))
	s.updateAt(2*day, ConditionUpdate, settle(0, ConditionMet, analyst))
	s.updateAt(2*day, ConditionUpdate, settle(1, ConditionMet, analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.result()
	requireErrorType(s.T(), ErrTypeInvalid, deposit.rejected, deposit.err)
	s.Equal(2, s.policyDay(), "no letter of credit to follow")
}

// Approvals whose letter was met before letters were followed end with
// the last condition met, as they did.
func (s *creditRequestSuite) TestALetterMetBeforeLettersWereFollowedEndsTheWorkflow() {
	s.env.OnGetVersion(lettersFollowed, workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	s.scoredAs(ScoreReview)
	s.recordConditions()
	expired := s.expiries(1000)
	s.updateAt(0, DecisionUpdate, s.letterOfCredit("40000", 90))
	s.updateAt(day, ConditionUpdate, settle(0, ConditionMet, analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	s.result()
	s.Equal(1, s.policyDay())
	s.Empty(*expired)
	s.Empty(s.letterEmails())
}
