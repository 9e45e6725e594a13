package api

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// Every workflow the API starts is started here, with the rows that go
// with it: the request or the invoice is stored, then its workflow is
// started, and when it cannot start the row is removed again, so that no
// row is left without its workflow.

// startCreditRequest stores a credit request (and a pre-approval's
// prospect account) and starts its CreditRequestWorkflow.
func (s *Server) startCreditRequest(ctx context.Context, r credit.CreditRequest) error {
	if err := s.Store.CreateCreditRequest(ctx, r); err != nil {
		return err
	}
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.CreditRequestWorkflowID(r.ID),
		TaskQueue: s.TaskQueue,
	}, workflows.CreditRequestWorkflow, r)
	if err != nil {
		if cleanupErr := s.Store.AbandonCreditRequest(context.WithoutCancel(ctx), r); cleanupErr != nil {
			s.Logger.Error("abandon credit request", "request_id", r.ID, "error", cleanupErr)
		}
		s.Logger.Error("start credit request workflow", "request_id", r.ID, "error", err)
		return notStarted
	}
	return nil
}

// startInvoice stores an invoice and starts its InvoiceWorkflow: 409 when
// its account already has an invoice of that number.
func (s *Server) startInvoice(ctx context.Context, inv credit.Invoice) error {
	switch err := s.Store.CreateInvoice(ctx, inv); {
	case errors.Is(err, store.ErrConflict):
		return conflict(fmt.Sprintf("account %s already has an invoice numbered %q", inv.AccountID, inv.Number))
	case err != nil:
		return err
	}
	if err := s.startInvoiceWorkflow(ctx, inv); err != nil {
		return notStarted
	}
	return nil
}

// importConcurrency bounds the workflow starts an import runs at once.
const importConcurrency = 64

// startImportedInvoices stores invoices in bulk and starts the workflow of
// each new one, concurrently. It answers, by invoice id, whether its
// follow-up started (true) or could not start and the invoice was removed
// again (false); an invoice missing from the answer was a duplicate (its
// account already has that number) and nothing was done with it.
func (s *Server) startImportedInvoices(ctx context.Context, invs []credit.Invoice) (map[string]bool, error) {
	stored := map[string]bool{}
	for start := 0; start < len(invs); start += 1000 {
		batch, err := s.Store.CreateInvoices(ctx, invs[start:min(start+1000, len(invs))])
		if err != nil {
			return nil, err
		}
		for id := range batch {
			stored[id] = true
		}
	}
	started := make(map[string]bool, len(stored))
	var mu sync.Mutex
	// The rows are written: their workflows start even if the caller goes.
	g, gctx := errgroup.WithContext(context.WithoutCancel(ctx))
	g.SetLimit(importConcurrency)
	for _, inv := range invs {
		if !stored[inv.ID] {
			continue
		}
		g.Go(func() error {
			ok := s.startInvoiceWorkflow(gctx, inv) == nil
			mu.Lock()
			defer mu.Unlock()
			started[inv.ID] = ok
			return nil
		})
	}
	_ = g.Wait()
	return started, nil
}

// startInvoiceWorkflow starts a stored invoice's workflow; when it cannot,
// the invoice is removed again, so that nothing is left unfollowed.
func (s *Server) startInvoiceWorkflow(ctx context.Context, inv credit.Invoice) error {
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.InvoiceWorkflowID(inv.ID),
		TaskQueue: s.TaskQueue,
	}, workflows.InvoiceWorkflow, workflows.InvoiceInput{Invoice: inv})
	if err != nil {
		if cleanupErr := s.Store.AbandonInvoice(context.WithoutCancel(ctx), inv.ID); cleanupErr != nil {
			s.Logger.Error("abandon invoice", "invoice_id", inv.ID, "error", cleanupErr)
		}
		s.Logger.Error("start invoice workflow", "invoice_id", inv.ID, "error", err)
	}
	return err
}

// notStarted answers a start that Temporal refused or did not answer.
var notStarted = unavailable("the workflow service is not reachable; nothing was recorded, please retry")
