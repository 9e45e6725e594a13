package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
)

// Assessment is the scorecard's verdict on a credit request, with the
// policy the workflow applies while it waits: taken once, at scoring, so a
// running request keeps the rules it started with.
type Assessment struct {
	Score       policy.Score  `json:"score"`
	Review      policy.Review `json:"review"`
	Day         time.Duration `json:"day"`
	AccountName string        `json:"account_name"`
}

// ScoreCreditRequest scores a request with the scorecard and records the
// verdict. A limit increase is scored on the account's profile and its
// payment history.
func (a *Activities) ScoreCreditRequest(ctx context.Context, r credit.CreditRequest) (Assessment, error) {
	account, err := a.Store.Account(ctx, r.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return Assessment{}, temporal.NewNonRetryableApplicationError("account "+r.AccountID+" not found", ErrTypeNotFound, err)
	}
	if err != nil {
		return Assessment{}, err
	}
	applicant := policy.Applicant{
		YearsInBusiness: account.YearsInBusiness,
		AnnualRevenue:   account.AnnualRevenue,
		TradeReferences: account.TradeReferences,
		Requested:       r.RequestedLimit,
	}
	if r.Kind == credit.KindLimitIncrease {
		n, err := a.Store.LongOverdueInvoices(ctx, r.AccountID, a.Policy.Scoring.OverdueDaysLoweringBand)
		if err != nil {
			return Assessment{}, err
		}
		applicant.LongOverdueInvoices = n
	}
	score := a.Policy.Scoring.Score(applicant)
	if err := a.Store.RecordScore(ctx, r.ID, score); err != nil {
		return Assessment{}, err
	}
	return Assessment{Score: score, Review: a.Policy.Review, Day: a.Day, AccountName: account.Name}, nil
}

// ApplyDecision records a decision and applies it to the account.
func (a *Activities) ApplyDecision(ctx context.Context, requestID string, d credit.Decision) error {
	return a.Store.ApplyDecision(ctx, requestID, d)
}

// Closure ends a request that nobody decided.
type Closure struct {
	RequestID string    `json:"request_id"`
	Status    string    `json:"status"`
	By        string    `json:"by"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// CloseCreditRequest records an expiry or a withdrawal.
func (a *Activities) CloseCreditRequest(ctx context.Context, c Closure) error {
	if c.Status != credit.StatusExpired && c.Status != credit.StatusWithdrawn {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("cannot close a request as %q", c.Status), "InvalidClosure", nil)
	}
	return a.Store.CloseCreditRequest(ctx, c.RequestID, c.Status, c.By, c.Reason, c.At)
}
