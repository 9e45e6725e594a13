package workflows

import (
	"context"

	"github.com/stretchr/testify/mock"
)

// withConditions approves limit with a deposit and a personal guarantee.
func withConditions(limit string, by Decider) DecisionInput {
	l, deposit := eur(limit), eur("5000")
	return DecisionInput{Outcome: OutcomeApproveWithConditions, ApprovedLimit: &l, By: by, Conditions: []Condition{
		{Type: "deposit", Amount: &deposit}, {Type: "personal_guarantee", Guarantor: "Jane Doe"},
	}}
}

func settle(n int, status string, by Decider) ConditionInput {
	return ConditionInput{N: n, Status: status, Note: "received", By: by}
}

// recordConditions records what RecordCondition and LapseApproval were
// asked to keep.
func (s *creditRequestSuite) recordConditions() (*[]RecordConditionInput, *[]LapseApprovalInput) {
	var recorded []RecordConditionInput
	var lapsed []LapseApprovalInput
	s.env.OnActivity(RecordConditionActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in RecordConditionInput) error { recorded = append(recorded, in); return nil })
	s.env.OnActivity(LapseApprovalActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in LapseApprovalInput) error { lapsed = append(lapsed, in); return nil })
	return &recorded, &lapsed
}

// An approval with conditions waits for them: the rep is reminded on day
// 7 of what is still missing; the last condition met on day 10 ends the
// wait, with each condition kept as it was settled.
func (s *creditRequestSuite) TestAnApprovalWaitsUntilItsConditionsAreMet() {
	s.scoredAs(ScoreReview)
	recorded, lapsed := s.recordConditions()
	s.updateAt(day, DecisionUpdate, withConditions("40000", analyst))
	deposit := s.updateAt(3*day, ConditionUpdate, settle(0, ConditionMet, analyst))
	twice := s.updateAt(4*day, ConditionUpdate, settle(0, ConditionMet, analyst))
	guarantee := s.updateAt(10*day, ConditionUpdate, settle(1, ConditionMet, manager))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	r := s.result()
	s.Equal(StatusApprovedWithConditions, r.Status)
	s.NoError(deposit.err)
	requireErrorType(s.T(), ErrTypeConflict, twice.rejected, twice.err)
	s.NoError(guarantee.err)
	s.Equal(10, s.policyDay(), "the workflow ends with the last condition")
	s.Require().Len(*recorded, 2)
	s.Equal(ConditionMet, (*recorded)[0].Condition.Status)
	s.Equal("analyst@example.com", (*recorded)[0].Condition.ResolvedBy)
	s.Equal(1, (*recorded)[1].N)
	s.Empty(*lapsed)
	for _, c := range r.Decision.Conditions {
		s.Equal(ConditionMet, c.Status)
	}
	s.Equal([]sentEmail{
		{"request_received", 0, nil, AudienceCreditTeam},
		{"request_decided", 1, []string{"rep@example.com"}, ""},
		{"conditions_pending", 8, []string{"rep@example.com"}, ""},
	}, s.emails)
}

// Only a credit manager waives a condition; an analyst who tries is
// refused, and a waived condition counts as settled.
func (s *creditRequestSuite) TestOnlyACreditManagerWaivesACondition() {
	s.scoredAs(ScoreReview)
	s.recordConditions()
	s.updateAt(day, DecisionUpdate, withConditions("40000", analyst))
	byAnalyst := s.updateAt(2*day, ConditionUpdate, settle(1, ConditionWaived, analyst))
	byRep := s.updateAt(2*day, ConditionUpdate, settle(0, ConditionMet, rep))
	noNote := s.updateAt(2*day, ConditionUpdate, ConditionInput{N: 0, Status: ConditionMet, By: analyst})
	outOfRange := s.updateAt(2*day, ConditionUpdate, settle(2, ConditionMet, analyst))
	s.updateAt(3*day, ConditionUpdate, settle(1, ConditionWaived, manager))
	s.updateAt(3*day, ConditionUpdate, settle(0, ConditionMet, analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	r := s.result()
	requireErrorType(s.T(), ErrTypeForbidden, byAnalyst.rejected, byAnalyst.err)
	requireErrorType(s.T(), ErrTypeForbidden, byRep.rejected, byRep.err)
	requireErrorType(s.T(), ErrTypeInvalid, noNote.rejected, noNote.err)
	requireErrorType(s.T(), ErrTypeInvalid, outOfRange.rejected, outOfRange.err)
	s.Equal([]string{ConditionMet, ConditionWaived}, []string{r.Decision.Conditions[0].Status, r.Decision.Conditions[1].Status})
	s.Equal(3, s.policyDay())
}

// Conditions still pending after 60 policy days: the rep was reminded on
// days 7, 14, ... 56; the approval lapses on day 60, and the rep and the
// analyst who approved hear of it.
func (s *creditRequestSuite) TestAnApprovalLapsesWhenItsConditionsAreNotMetIn60Days() {
	s.scoredAs(ScoreReview)
	recorded, lapsed := s.recordConditions()
	s.updateAt(0, DecisionUpdate, withConditions("40000", analyst))
	s.updateAt(20*day, ConditionUpdate, settle(1, ConditionMet, analyst))
	late := s.updateAt(61*day, ConditionUpdate, settle(0, ConditionMet, analyst))
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))

	r := s.result()
	s.Equal(StatusLapsed, r.Status)
	s.Require().Len(*lapsed, 1)
	s.Len(*recorded, 1, "the guarantee met on day 20")
	s.Equal([]string{ConditionLapsed, ConditionMet}, []string{r.Decision.Conditions[0].Status, r.Decision.Conditions[1].Status})
	s.False(late.done, "the workflow ended with the lapse: a later settlement finds no workflow")
	var reminders []int
	for _, e := range s.emails {
		if e.Kind == "conditions_pending" {
			reminders = append(reminders, e.Day)
		}
	}
	s.Equal([]int{7, 14, 21, 28, 35, 42, 49, 56}, reminders)
	last := s.emails[len(s.emails)-1]
	s.Equal(sentEmail{"approval_lapsed", 60, []string{"rep@example.com", "analyst@example.com"}, ""}, last)
}

// Shorter terms are set with the approval: met at once, nothing to wait
// for.
func (s *creditRequestSuite) TestShorterTermsAreMetWithTheApproval() {
	s.scoredAs(ScoreReview)
	s.recordConditions()
	l := eur("40000")
	s.updateAt(day, DecisionUpdate, DecisionInput{Outcome: OutcomeApproveWithConditions, ApprovedLimit: &l, By: analyst,
		Conditions: []Condition{{Type: ConditionShorterTerms, TermsDays: 15}}})
	s.env.ExecuteWorkflow(CreditRequestWorkflow, request("50000"))
	r := s.result()
	s.Equal(ConditionMet, r.Decision.Conditions[0].Status)
	s.Equal(1, s.policyDay())
}
