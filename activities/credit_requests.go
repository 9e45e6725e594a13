package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// ScoreCreditRequest scores a request with the scorecard and records the
// verdict. A limit increase is scored on the account's profile and its
// payment history. It first writes the request's row (and a prospect's
// account), which the API normally wrote already: a request whose API
// died right after starting its workflow is not left without its row.
func (a *Activities) ScoreCreditRequest(ctx context.Context, r workflows.CreditRequest) (workflows.Assessment, error) {
	account, err := a.writeRequest(ctx, r)
	if err != nil {
		return workflows.Assessment{}, err
	}
	applicant := policy.Applicant{
		YearsInBusiness: account.YearsInBusiness,
		AnnualRevenue:   account.AnnualRevenue,
		TradeReferences: account.TradeReferences,
		Requested:       r.RequestedLimit.Amount(),
	}
	if r.Kind == workflows.KindLimitIncrease {
		n, err := a.Store.LongOverdueInvoices(ctx, r.AccountID, a.Policy.Scoring.OverdueDaysLoweringBand)
		if err != nil {
			return workflows.Assessment{}, err
		}
		applicant.LongOverdueInvoices = n
	}
	score := a.Policy.Scoring.Score(applicant)
	if err := a.Store.RecordScore(ctx, r.ID, score); err != nil {
		return workflows.Assessment{}, err
	}
	return a.assessment(score, account.Name), nil
}

// writeRequest writes a request's row, should nobody have written it, and
// reads its account.
func (a *Activities) writeRequest(ctx context.Context, r workflows.CreditRequest) (credit.Account, error) {
	if err := a.Store.CreateCreditRequest(ctx, creditRequestRow(r)); err != nil {
		return credit.Account{}, err
	}
	account, err := a.Store.Account(ctx, r.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return account, temporal.NewNonRetryableApplicationError("account "+r.AccountID+" not found", workflows.ErrTypeNotFound, err)
	}
	return account, err
}

// assessment is a verdict with the policy the request's workflow applies
// while it waits.
func (a *Activities) assessment(score policy.Score, accountName string) workflows.Assessment {
	review := a.Policy.Review
	return workflows.Assessment{
		Score: workflows.Score{
			Points: score.Points, Band: score.Band, Reasons: score.Reasons,
			RecommendedLimit: workflows.MoneyOf(score.RecommendedLimit), Outcome: score.Outcome,
		},
		Review: workflows.Review{
			ReminderAfterDays: review.ReminderAfterDays, EscalateAfterDays: review.EscalateAfterDays,
			ExpireAfterDays: review.ExpireAfterDays, DefaultApprovalMax: review.DefaultApprovalMax,
			ConditionsReminderDays: review.ConditionsReminderDays, ConditionsLapseDays: review.ConditionsLapseDays,
			LetterOfCreditNoticeDays: review.LetterOfCreditNoticeDays,
		},
		Day:         a.Day,
		AccountName: accountName,
	}
}

// ApplyCreditDecision records a decision and applies it to the account.
func (a *Activities) ApplyCreditDecision(ctx context.Context, in workflows.ApplyDecisionInput) error {
	return a.Store.ApplyDecision(ctx, in.RequestID, decisionRow(in.Decision))
}

// CloseCreditRequest records an expiry or a withdrawal.
func (a *Activities) CloseCreditRequest(ctx context.Context, c workflows.CloseCreditRequestInput) error {
	if c.Status != credit.StatusExpired && c.Status != credit.StatusWithdrawn {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("cannot close a request as %q", c.Status), workflows.ErrTypeInvalidClosure, nil)
	}
	return a.Store.CloseCreditRequest(ctx, c.RequestID, c.Status, c.By, c.Reason, c.At)
}

// RecordCondition keeps a condition met or waived.
func (a *Activities) RecordCondition(ctx context.Context, in workflows.RecordConditionInput) error {
	event := in.Event
	if event == "" {
		event = fmt.Sprintf("condition/%d/%s", in.N, in.Condition.Status)
	}
	return a.Store.RecordCondition(ctx, in.RequestID, in.N, event, conditionRow(in.Condition))
}

// ExpireLetterOfCredit makes a letter of credit that expired pending
// again, if its account is open.
func (a *Activities) ExpireLetterOfCredit(ctx context.Context, in workflows.ExpireLetterOfCreditInput) (workflows.ExpireLetterOfCreditResult, error) {
	open, err := a.Store.ExpireLetterOfCredit(ctx, in.RequestID, in.N, in.Event, conditionRow(in.Condition))
	return workflows.ExpireLetterOfCreditResult{Open: open}, err
}

// LapseApproval takes back an approval whose conditions were not met in
// time.
func (a *Activities) LapseApproval(ctx context.Context, in workflows.LapseApprovalInput) error {
	return a.Store.LapseApproval(ctx, in.RequestID, in.At)
}
