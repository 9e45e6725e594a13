package activities

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// maxPausedInvoices bounds the open invoices one reply pauses.
const maxPausedInvoices = 10_000

// replyTo gives a customer email its reply-to address, when Inbound Parse
// is configured, and the fact its template needs to promise the pause a
// reply brings: without the address nothing reads the replies, and the
// template promises nothing.
func (a *Activities) replyTo(e workflows.Email) (facts map[string]string, address, ref string) {
	if a.Replies == nil || !email.IsCustomerKind(e.Kind) {
		return e.Facts, "", ""
	}
	facts = maps.Clone(e.Facts)
	if facts == nil {
		facts = map[string]string{}
	}
	facts["ReplyPauseDays"] = strconv.Itoa(a.Policy.Dunning.ReplyPauseDays)
	return facts, a.Replies.Address(e.Key), email.Ref(e.Key)
}

// OpenReply matches a stored reply to its account, once, and puts it on
// the account's timeline: by the reply-to token when it verifies (the
// email it answers), else by the sender's address when exactly one open
// account has it as its billing contact, else nobody (kept for an admin).
func (a *Activities) OpenReply(ctx context.Context, in workflows.ReplyRef) (workflows.ReplyOpened, error) {
	r, err := a.Store.Reply(ctx, in.ReplyID)
	if errors.Is(err, store.ErrNotFound) {
		return workflows.ReplyOpened{}, temporal.NewNonRetryableApplicationError("reply "+in.ReplyID+" not found", workflows.ErrTypeNotFound, err)
	}
	if err != nil {
		return workflows.ReplyOpened{}, err
	}
	if r.Status == credit.ReplyReceived {
		accountID, emailKey, by, err := a.matchReply(ctx, r)
		if err != nil {
			return workflows.ReplyOpened{}, err
		}
		if err := a.Store.MatchReply(ctx, r.ID, accountID, emailKey, by, replyEntry(r)); err != nil {
			return workflows.ReplyOpened{}, err
		}
		if r, err = a.Store.Reply(ctx, in.ReplyID); err != nil {
			return workflows.ReplyOpened{}, err
		}
	}
	out := workflows.ReplyOpened{AccountID: r.AccountID, PauseDays: a.Policy.Dunning.ReplyPauseDays, Day: a.Day}
	if r.AccountID == "" {
		return out, nil
	}
	account, err := a.Store.Account(ctx, r.AccountID)
	if err != nil {
		return out, err
	}
	out.SalesRep = account.SalesRep
	out.Facts = map[string]string{
		"AccountName": account.Name, "AccountID": account.ID, "SalesRep": account.SalesRep, "ReplyID": r.ID,
		"Sender": r.Sender, "Subject": r.Subject, "Excerpt": excerpt(r.Text, 2000),
		"Attachments": attachmentList(r.Attachments), "PauseDays": strconv.Itoa(out.PauseDays),
	}
	return out, nil
}

func (a *Activities) matchReply(ctx context.Context, r credit.Reply) (accountID, emailKey, by string, err error) {
	if a.Replies != nil {
		if ref, ok := a.Replies.Verify(r.To); ok {
			e, err := a.Store.EmailByReplyRef(ctx, ref)
			switch {
			case err == nil && e.AccountID != "":
				return e.AccountID, e.Key, credit.MatchedByToken, nil
			case err != nil && !errors.Is(err, store.ErrNotFound):
				return "", "", "", err
			}
		}
	}
	if r.Sender == "" {
		return "", "", "", nil
	}
	accounts, err := a.Store.AccountsOfBillingEmail(ctx, r.Sender)
	if err != nil || len(accounts) != 1 {
		// None, or several accounts share the address: an admin decides.
		return "", "", "", err
	}
	return accounts[0], "", credit.MatchedBySender, nil
}

// replyEntry is the reply as the account's timeline shows it.
func replyEntry(r credit.Reply) credit.TimelineEntry {
	s := fmt.Sprintf("Reply from %s: %q: %s", r.Sender, r.Subject, excerpt(r.Text, 500))
	if len(r.Attachments) > 0 {
		s += " (attachments, not kept: " + attachmentList(r.Attachments) + ")"
	}
	return credit.TimelineEntry{Kind: "customer_reply", Ref: r.ID, Actor: r.Sender, Summary: s}
}

// excerpt is the start of a text, on one line, at most n bytes.
func excerpt(text string, n int) string {
	s := strings.Join(strings.Fields(text), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func attachmentList(files []credit.Attachment) string {
	var names []string
	for _, f := range files {
		names = append(names, fmt.Sprintf("%s (%s)", f.Name, byteSize(f.Size)))
	}
	return strings.Join(names, ", ")
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// PauseForReply records the reply's pause and sends each open invoice of
// the account the reply-pause update, under an id from the reply: a
// retry sends the same updates, which Temporal applies once. It returns
// the invoices paused (those settled meanwhile are left alone).
func (a *Activities) PauseForReply(ctx context.Context, in workflows.ReplyPauseInput) ([]string, error) {
	if err := a.Store.SetReplyPause(ctx, in.ReplyID, in.Until); err != nil {
		return nil, err
	}
	invoices, err := a.Store.OpenInvoices(ctx, in.AccountID, maxPausedInvoices)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(invoices))
	for k, inv := range invoices {
		ids[k] = inv.ID
	}
	return a.updateInvoices(ctx, ids, "reply/"+in.ReplyID+"/pause", workflows.ReplyPauseUpdate,
		workflows.ReplyPause{ReplyID: in.ReplyID, Until: in.Until})
}

// ResumeAfterReply ends the reply's pause on the invoices it paused.
func (a *Activities) ResumeAfterReply(ctx context.Context, in workflows.ResumeAfterReplyInput) error {
	_, err := a.updateInvoices(ctx, in.Invoices, "reply/"+in.ReplyID+"/read", workflows.ReplyReadUpdate,
		workflows.ReplyRead{ReplyID: in.ReplyID})
	return err
}

// MarkReplyRead records who read the reply.
func (a *Activities) MarkReplyRead(ctx context.Context, in workflows.MarkReplyReadInput) error {
	return a.Store.MarkReplyRead(ctx, in.ReplyID, in.By, in.At)
}

// updateInvoices sends one update to each invoice's workflow, a few at a
// time, and returns those that took it; an invoice whose workflow has
// ended (paid, written off) has nothing to pause.
func (a *Activities) updateInvoices(ctx context.Context, invoiceIDs []string, updateID, name string, arg any) ([]string, error) {
	took := make([]bool, len(invoiceIDs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for k, id := range invoiceIDs {
		g.Go(func() error {
			handle, err := a.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID: workflows.InvoiceWorkflowID(id), UpdateID: updateID, UpdateName: name,
				Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err == nil {
				err = handle.Get(ctx, nil)
			}
			var notFound *serviceerror.NotFound
			var appErr *temporal.ApplicationError
			switch {
			case err == nil:
				took[k] = true
			case errors.As(err, &notFound), strings.Contains(err.Error(), "workflow execution already completed"),
				errors.As(err, &appErr) && appErr.Type() == workflows.ErrTypeConflict:
			default:
				return fmt.Errorf("%s update to invoice %s: %w", name, id, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []string
	for k, id := range invoiceIDs {
		if took[k] {
			out = append(out, id)
		}
	}
	return out, nil
}
