package api

import (
	"context"

	"github.com/creditflow/creditflow/policy"
)

// CreditRequestPreview is the scorecard's verdict, as the request's
// workflow would get it.
type CreditRequestPreview = policy.Score

// PreviewCreditRequest scores a pre-approval as its workflow would and
// files nothing, so that a rep can try figures before asking. The body is
// checked as a real request's (newCreditRequest), a company that already
// has an account included; the verdict is the same scorecard's
// (policy.Scoring.Score) that ScoreCreditRequest applies to the account
// the request would create.
func (h handlers) PreviewCreditRequest(ctx context.Context, req PreviewCreditRequestRequestObject) (PreviewCreditRequestResponseObject, error) {
	if req.Body.Kind != CreditRequestKindPreApproval {
		// A limit increase is scored on the account's payment history,
		// which is read when it is filed.
		return nil, unprocessable(FieldProblem{"kind", "a preview scores a pre_approval"})
	}
	r, err := h.newCreditRequest(ctx, currentUser(ctx), *req.Body)
	if err != nil {
		return nil, err
	}
	p := r.Prospect
	score := h.scoring().Score(policy.Applicant{
		YearsInBusiness: p.YearsInBusiness,
		AnnualRevenue:   p.AnnualRevenue,
		TradeReferences: p.TradeReferences,
		Requested:       r.RequestedLimit,
	})
	return PreviewCreditRequest200JSONResponse(score), nil
}

// scoring is the scorecard the worker applies (its policy file); unset,
// the default policy's.
func (s *Server) scoring() policy.Scoring {
	if len(s.Scoring.Bands) == 0 {
		return policy.Default().Scoring
	}
	return s.Scoring
}
