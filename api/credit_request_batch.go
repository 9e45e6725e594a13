package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/creditflow/creditflow/workflows"
)

// CreditRequestBatchReport answers a campaign's batch line by line.
type CreditRequestBatchReport struct {
	Campaign string      `json:"campaign"`
	Filed    int         `json:"filed"`
	Invalid  int         `json:"invalid"`
	Refused  int         `json:"refused"`
	Lines    []BatchLine `json:"lines"`
}

// BatchLine is what became of one account of a batch.
type BatchLine struct {
	Line      int            `json:"line"`
	AccountID string         `json:"account_id"`
	Status    string         `json:"status"`
	RequestID string         `json:"request_id,omitempty"`
	Detail    string         `json:"detail,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
}

// Batch line statuses.
const (
	batchFiled   = "filed"
	batchInvalid = "invalid"
	batchRefused = "refused"
)

// batchConcurrency bounds the lines of one batch filed at once.
const batchConcurrency = 8

// FileCreditRequestBatch files one limit increase per listed account for
// a campaign, each through fileCreditRequest as POST /credit-requests
// files one, and answers line by line. A line for another rep's account
// is refused (403 alone), a line the request's checks refuse is invalid
// with its fields; neither stops the others. Each line's request id comes
// from the caller, the Idempotency-Key and the account, so a batch
// retried after a 503 finds the lines it filed and files them not twice.
func (h handlers) FileCreditRequestBatch(ctx context.Context, req FileCreditRequestBatchRequestObject) (FileCreditRequestBatchResponseObject, error) {
	key := deref(req.Params.IdempotencyKey)
	if key == "" {
		return nil, badRequest(FieldProblem{"Idempotency-Key", "is required for a batch: it names each line's request, so that a retry files nothing twice"})
	}
	body := *req.Body
	var v checker
	campaign := v.line("campaign", body.Campaign, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	user := currentUser(ctx)
	report := CreditRequestBatchReport{Campaign: campaign, Lines: make([]BatchLine, len(body.Accounts))}
	seen := map[string]int{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(batchConcurrency)
	for k, line := range body.Accounts {
		out := &report.Lines[k]
		*out = BatchLine{Line: k + 1, AccountID: line.AccountId}
		field := fmt.Sprintf("accounts[%d]", k)
		if first, twice := seen[line.AccountId]; twice {
			out.Status, out.Errors = batchInvalid, []FieldProblem{{field + ".account_id", fmt.Sprintf("is listed already on line %d", first)}}
			out.Detail = summary(out.Errors)
			continue
		}
		seen[line.AccountId] = k + 1
		accountID := line.AccountId
		ids := func(_, _ string) (string, string) {
			return workflows.KeyedID("cr", user.ID, key, "credit-request-batch", accountID), accountID
		}
		nr := NewCreditRequest{
			Kind: CreditRequestKindLimitIncrease, AccountId: &accountID, RequestedLimit: line.RequestedLimit,
			Reason: line.Reason, Campaign: &campaign,
		}
		g.Go(func() error {
			r, err := h.fileCreditRequest(gctx, user, ids, nr)
			var p *Problem
			switch {
			case err == nil:
				out.Status, out.RequestID = batchFiled, r.ID
			case !errors.As(err, &p) || p.Status >= http.StatusInternalServerError:
				// Temporal or Postgres: the whole batch is a 503, and its
				// retry files the lines that were not.
				return err
			case p.Status == http.StatusUnprocessableEntity:
				out.Status, out.Detail = batchInvalid, p.Detail
				for _, e := range p.Errors {
					out.Errors = append(out.Errors, FieldProblem{field + "." + e.Field, e.Detail})
				}
			default:
				out.Status, out.Detail = batchRefused, p.Detail
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, l := range report.Lines {
		switch l.Status {
		case batchFiled:
			report.Filed++
		case batchInvalid:
			report.Invalid++
		default:
			report.Refused++
		}
	}
	return FileCreditRequestBatch200JSONResponse(report), nil
}
