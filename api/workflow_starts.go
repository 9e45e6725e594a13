package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// No row without its workflow. A request or an invoice is started as the
// reference order app starts an order: its workflow first, under an id
// from its business key that Temporal refuses to start twice, then its
// row. The workflow's first activity writes the same row (idempotently),
// so an API that dies between the two steps leaves a workflow that writes
// its own row, never a row that nothing follows; a retry finds the
// workflow already started and answers as for a duplicate.

// startTimeout bounds a start and the row written after it. They run on a
// context the client cannot cancel: a client that hangs up between the
// two does not leave the row to the workflow's first activity alone.
const startTimeout = 10 * time.Second

// importConcurrency bounds the workflow starts an import runs at once.
const importConcurrency = 64

func startOptions(id, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                    id,
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		// Without it the SDK answers a used id with the existing run, as if
		// it had started: the duplicate would pass for new.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
}

func alreadyStarted(err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &started)
}

// creditRequestIDs are a keyed request's ids: the request's, and a new
// prospect's account's (a limit increase keeps its account).
func creditRequestIDs(userID, key, kind, accountID string) (string, string) {
	if kind == credit.KindPreApproval {
		accountID = workflows.KeyedID("acc", userID, key, "account")
	}
	return workflows.KeyedID("cr", userID, key, "credit-request"), accountID
}

// startCreditRequest starts the request's workflow, then writes its row.
// A request whose workflow already runs (a retry with the same key) is
// answered as it is.
func (s *Server) startCreditRequest(ctx context.Context, r credit.CreditRequest) (credit.CreditRequest, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	// People wait for a credit request: the interactive lane.
	_, err := s.Temporal.ExecuteWorkflow(ctx, startOptions(workflows.CreditRequestWorkflowID(r.ID), workflows.InteractiveTaskQueue(s.TaskQueue)),
		workflows.CreditRequestWorkflow, creditRequestPayload(r))
	switch {
	case alreadyStarted(err):
		if existing, err := s.Store.CreditRequest(ctx, r.ID); err == nil {
			return existing, nil
		}
		return r, nil // its workflow is writing the row
	case err != nil:
		s.Logger.Error("start credit request workflow", "request_id", r.ID, "error", err)
		return r, unavailable("the workflow service is not reachable; nothing was recorded, please retry")
	}
	faultPoint("after-start")
	if err := s.Store.CreateCreditRequest(ctx, r); err != nil {
		// The workflow's first activity writes it once Postgres answers.
		s.Logger.Warn("credit request row left to its workflow", "request_id", r.ID, "error", err)
	}
	return r, nil
}

// startInvoice starts the invoice's workflow, then writes its row: a
// number the account already has is a conflict.
func (s *Server) startInvoice(ctx context.Context, inv credit.Invoice) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	duplicate := conflict(fmt.Sprintf("account %s already has an invoice numbered %q", inv.AccountID, inv.Number))
	taken, err := s.Store.InvoiceNumbersTaken(ctx, []credit.Invoice{inv})
	if err != nil {
		return err
	}
	if taken[inv.ID] {
		return duplicate
	}
	_, err = s.Temporal.ExecuteWorkflow(ctx, startOptions(workflows.InvoiceWorkflowID(inv.ID), s.TaskQueue),
		workflows.InvoiceWorkflow, invoiceInput(inv))
	switch {
	case alreadyStarted(err):
		return duplicate
	case err != nil:
		s.Logger.Error("start invoice workflow", "invoice_id", inv.ID, "error", err)
		return unavailable("the workflow service is not reachable; nothing was recorded, please retry")
	}
	faultPoint("after-start")
	switch err := s.Store.CreateInvoice(ctx, inv); {
	case errors.Is(err, store.ErrConflict):
		return duplicate
	case err != nil:
		s.Logger.Warn("invoice row left to its workflow", "invoice_id", inv.ID, "error", err)
	}
	return nil
}

// What became of an imported invoice.
const (
	importStarted   = "started"
	importDuplicate = "duplicate"
	importFailed    = "failed"
)

// startImportedInvoices starts the workflows of an import's valid invoices
// concurrently, then writes their rows in bulk. It answers, by invoice id,
// whether each was started, a duplicate (the account has the number, or
// its workflow runs already), or failed to start.
func (s *Server) startImportedInvoices(ctx context.Context, invs []credit.Invoice) (map[string]string, error) {
	ctx = context.WithoutCancel(ctx)
	taken, err := s.Store.InvoiceNumbersTaken(ctx, invs)
	if err != nil {
		return nil, err
	}
	outcome := make(map[string]string, len(invs))
	var started []credit.Invoice
	var mu sync.Mutex
	g := new(errgroup.Group)
	g.SetLimit(importConcurrency)
	for _, inv := range invs {
		if taken[inv.ID] {
			outcome[inv.ID] = importDuplicate
			continue
		}
		g.Go(func() error {
			done, _ := s.awaitImportStart(ctx) // ctx is never canceled: it only waits
			defer done()
			startCtx, cancel := context.WithTimeout(ctx, startTimeout)
			defer cancel()
			_, err := s.Temporal.ExecuteWorkflow(startCtx, startOptions(workflows.InvoiceWorkflowID(inv.ID), s.TaskQueue),
				workflows.InvoiceWorkflow, invoiceInput(inv))
			status := importStarted
			switch {
			case alreadyStarted(err):
				status = importDuplicate
			case err != nil:
				s.Logger.Error("start invoice workflow", "invoice_id", inv.ID, "error", err)
				status = importFailed
			}
			mu.Lock()
			defer mu.Unlock()
			outcome[inv.ID] = status
			if status == importStarted {
				started = append(started, inv)
			}
			return nil
		})
	}
	_ = g.Wait()
	faultPoint("after-start")
	for start := 0; start < len(started); start += 1000 {
		batch := started[start:min(start+1000, len(started))]
		rowCtx, cancel := context.WithTimeout(ctx, startTimeout)
		stored, err := s.Store.CreateInvoices(rowCtx, batch)
		cancel()
		if err != nil {
			// Their workflows write them once Postgres answers.
			s.Logger.Warn("imported invoice rows left to their workflows", "invoices", len(batch), "error", err)
			continue
		}
		for _, inv := range batch {
			if !stored[inv.ID] {
				outcome[inv.ID] = importDuplicate
			}
		}
	}
	return outcome, nil
}

// creditRequestPayload is a new request as its workflow takes it.
func creditRequestPayload(r credit.CreditRequest) workflows.CreditRequest {
	out := workflows.CreditRequest{
		ID: r.ID, Kind: r.Kind, Status: r.Status, AccountID: r.AccountID, RequestedLimit: workflows.MoneyOf(r.RequestedLimit),
		Reason: r.Reason, Reasons: []string{}, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Campaign: r.Campaign,
	}
	if p := r.Prospect; p != nil {
		out.Prospect = &workflows.Prospect{
			Name: p.Name, RegistrationNumber: p.RegistrationNumber, Country: p.Country, BillingEmail: p.BillingEmail,
			AnnualRevenue: workflows.MoneyOf(p.AnnualRevenue), YearsInBusiness: p.YearsInBusiness,
			TradeReferences: p.TradeReferences, TimeZone: p.TimeZone,
		}
	}
	return out
}

// invoiceInput is a new invoice as its workflow takes it.
func invoiceInput(inv credit.Invoice) workflows.InvoiceInput {
	return workflows.InvoiceInput{
		Invoice: workflows.Invoice{
			ID: inv.ID, AccountID: inv.AccountID, Number: inv.Number, Amount: workflows.MoneyOf(inv.Amount),
			Balance: workflows.MoneyOf(inv.Balance), Status: inv.Status, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
			CreatedAt: inv.CreatedAt, UpdatedAt: inv.UpdatedAt,
		},
		CreatedBy: inv.CreatedBy,
	}
}

// runToEnd runs a short workflow that a person waits for (a hold placed
// by hand) in the interactive lane, and waits for its result. A retry
// under the same id joins the run already under way; a run that does not
// end within startTimeout is a 503, and the retry gets its outcome.
func (s *Server) runToEnd(ctx context.Context, id string, workflow, in, out any) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, startOptions(id, workflows.InteractiveTaskQueue(s.TaskQueue)), workflow, in)
	if alreadyStarted(err) {
		run, err = s.Temporal.GetWorkflow(ctx, id, ""), nil
	}
	if err == nil {
		err = run.Get(ctx, out)
	}
	if err != nil {
		return fmt.Errorf("%w: run %s: %w", errUnavailable, id, err)
	}
	return nil
}
