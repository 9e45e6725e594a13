package workflows

import (
	"context"
	"time"

	"github.com/stretchr/testify/mock"
)

// The periodic_review kind through CreditRequestWorkflow, in the credit
// request suite: a review of a 20,000 limit.

func reviewRequest() CreditRequest {
	return PeriodicReviewRequest(DueReview{AccountID: "acc_1", Band: "B", EveryDays: 180, DueDay: 20148, CreditLimit: eur("20000")},
		time.Date(2025, 3, 3, 7, 0, 0, 0, time.UTC))
}

// reviewScoredAs makes the review's scorecard answer; applied is what
// ApplyReviewDecision reports; the facts of every email are kept.
func (s *creditRequestSuite) reviewScoredAs(outcome, recommendation string, applied ReviewApplied) *[]Email {
	s.newEnvironment()
	s.env.OnActivity(ScorePeriodicReviewActivity, mock.Anything, mock.Anything).Return(Assessment{
		Score: Score{Points: 80, Band: "A", Reasons: []string{"a clean record since 2024-09-04: +100 points", "2 disputes opened: -10 points"},
			RecommendedLimit: eur("20000"), Outcome: outcome, Recommendation: recommendation},
		Review: defaultReview(), Day: day, AccountName: "Acme Tools GmbH",
	}, nil)
	s.env.OnActivity(ApplyReviewDecisionActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ApplyDecisionInput) (ReviewApplied, error) {
			s.applied = append(s.applied, in.Decision)
			return applied, nil
		})
	var emails []Email
	s.env.OnActivity(SendEmailActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, e Email) (SentEmail, error) {
			emails = append(emails, e)
			s.emails = append(s.emails, sentEmail{e.Kind, s.policyDay(), e.To, e.Audience})
			return SentEmail{Status: "sent"}, nil
		})
	s.mockActivities()
	return &emails
}

func (s *creditRequestSuite) TestCleanReviewKeepsTheLimitWithoutAnybody() {
	s.reviewScoredAs(ScoreApprove, "keep", ReviewApplied{CreditLimit: eur("20000"), Exposure: eur("5000")})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, reviewRequest())

	r := s.result()
	s.Equal(StatusApproved, r.Status)
	s.Require().Len(s.applied, 1)
	d := s.applied[0]
	s.True(d.Automatic)
	s.Equal(ReviewKeep, d.ReviewOutcome)
	s.Equal("20000.00", d.ApprovedLimit.Amount().String(), "kept at the limit under review")
	s.Contains(d.Reason, "kept by the review scorecard: 80 points, band A")
	s.Empty(s.emails, "nothing changed: neither the inbox nor the rep hears of it")
}

func (s *creditRequestSuite) TestReviewLoweredBelowTheExposureHoldsTheAccountAndTellsTheRep() {
	emails := s.reviewScoredAs(ScoreReview, "keep", ReviewApplied{PutOnHold: true, CreditLimit: eur("10000"), Exposure: eur("15000")})
	answer := s.updateAt(day, DecisionUpdate, DecisionInput{Outcome: OutcomeApprove, ApprovedLimit: ptr(eur("10000")),
		Reason: "two disputes in a quarter", By: analyst})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, reviewRequest())

	r := s.result()
	s.Require().True(answer.done)
	s.Require().NoError(answer.err)
	s.Equal(StatusApproved, r.Status)
	s.Equal(ReviewLower, r.Decision.ReviewOutcome)
	s.Equal(ReviewLower, answer.result.Decision.ReviewOutcome, "the analyst's answer says what the decision did")
	s.Equal([]sentEmail{
		{"request_received", 0, nil, AudienceCreditTeam},
		{"request_decided", 1, nil, AudienceSalesRep},
	}, s.emails, "the credit team is asked; the account's rep hears of the change")
	facts := (*emails)[1].Facts
	s.Equal("yes", facts["Periodic"])
	s.Equal("yes", facts["OnHold"])
	s.Equal("EUR 15,000.00", facts["Exposure"])
	s.Equal("the credit limit is lowered from EUR 20,000.00 to EUR 10,000.00", facts["OutcomeSentence"])
	s.Equal("acc_1", (*emails)[1].IDs["account_id"], "the rep is found from the account")
	s.Equal("periodic credit review", (*emails)[0].Facts["KindLabel"])
}

func (s *creditRequestSuite) TestReviewDecisionsAKeepARaiseAHold() {
	limit := int64(15000)
	junior := analyst
	junior.ApprovalLimit = &limit
	s.reviewScoredAs(ScoreReview, "raise", ReviewApplied{})
	declined := s.updateAt(time.Hour, DecisionUpdate, DecisionInput{Outcome: OutcomeDecline, Reason: "no", By: analyst})
	conditions := s.updateAt(2*time.Hour, DecisionUpdate, DecisionInput{Outcome: OutcomeApproveWithConditions,
		ApprovedLimit: ptr(eur("20000")), Conditions: []Condition{{Type: "deposit"}}, By: analyst})
	holdWithoutReason := s.updateAt(3*time.Hour, DecisionUpdate, DecisionInput{Outcome: OutcomeHold, By: analyst})
	raiseTooHigh := s.updateAt(4*time.Hour, DecisionUpdate, DecisionInput{Outcome: OutcomeApprove, ApprovedLimit: ptr(eur("25000")), By: junior})
	keepAboveOwnLimit := s.updateAt(5*time.Hour, DecisionUpdate, DecisionInput{Outcome: OutcomeApprove, ApprovedLimit: ptr(eur("20000")), By: junior})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, reviewRequest())

	requireErrorType(s.T(), ErrTypeInvalid, declined.rejected, declined.err)
	requireErrorType(s.T(), ErrTypeInvalid, conditions.rejected, conditions.err)
	requireErrorType(s.T(), ErrTypeInvalid, holdWithoutReason.rejected, holdWithoutReason.err)
	requireErrorType(s.T(), ErrTypeForbidden, raiseTooHigh.rejected, raiseTooHigh.err)
	s.NoError(keepAboveOwnLimit.rejected, "keeping a limit grants no credit: within anybody's authority")
	s.NoError(keepAboveOwnLimit.err)
	r := s.result()
	s.Equal(ReviewKeep, r.Decision.ReviewOutcome)
	s.Equal([]string{"request_received"}, s.kinds(), "a limit kept is news to nobody")
}

func (s *creditRequestSuite) TestReviewHoldPutsTheAccountOnHold() {
	s.reviewScoredAs(ScoreReview, "hold", ReviewApplied{PutOnHold: true, CreditLimit: eur("20000"), Exposure: eur("3000")})
	s.updateAt(2*day+time.Hour, DecisionUpdate, DecisionInput{Outcome: OutcomeHold, Reason: "insolvency filing", By: manager})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, reviewRequest())

	r := s.result()
	s.Equal(StatusHeld, r.Status)
	s.Equal(ReviewHold, r.Decision.ReviewOutcome)
	s.Nil(r.Decision.ApprovedLimit)
	s.Equal([]sentEmail{
		{"request_received", 0, nil, AudienceCreditTeam},
		{"review_reminder", 2, nil, AudienceCreditTeam},
		{"request_decided", 2, nil, AudienceSalesRep},
	}, s.emails)
}

func (s *creditRequestSuite) TestUndecidedReviewExpiresWithoutWritingToAnybodyOutside() {
	s.reviewScoredAs(ScoreReview, "keep", ReviewApplied{})
	withdrawal := s.updateAt(day, WithdrawUpdate, WithdrawInput{Reason: "not mine", By: rep})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, reviewRequest())

	requireErrorType(s.T(), ErrTypeForbidden, withdrawal.rejected, withdrawal.err)
	s.Equal(StatusExpired, s.result().Status)
	s.Equal([]string{"request_received", "review_reminder", "review_escalation"}, s.kinds(),
		"nobody asked for the review: no outcome email to \"creditflow\"")
}

func ptr[T any](v T) *T { return &v }
