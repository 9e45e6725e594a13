package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// JoinCustomerDay hands an invoice's customer step to its account's email
// of the day, starting that email's workflow if this is the day's first
// step (a signal with start: the two cannot race). A retry hands the same
// step again, which the day's email counts once.
func (a *Activities) JoinCustomerDay(ctx context.Context, in workflows.JoinCustomerDayInput) error {
	id := workflows.CustomerDayWorkflowID(in.Day.AccountID, in.Day.Date)
	_, err := a.Temporal.SignalWithStartWorkflow(ctx, id, workflows.CustomerStepSignal, in.Step,
		client.StartWorkflowOptions{ID: id, TaskQueue: a.TaskQueue}, workflows.CustomerDayWorkflowName, in.Day)
	return err
}

// ComposeCustomerEmail re-reads a day's invoices when the email is about
// to go: those no longer open with a balance (paid, written off, disputed
// since their step) drop out, saying why; the others are listed oldest
// due first, each with how late its own step found it.
func (a *Activities) ComposeCustomerEmail(ctx context.Context, in workflows.ComposeCustomerEmailInput) (workflows.CustomerEmailDraft, error) {
	late := make(map[string]int, len(in.Steps))
	ids := make([]string, 0, len(in.Steps))
	for _, s := range in.Steps {
		if _, ok := late[s.InvoiceID]; !ok {
			ids = append(ids, s.InvoiceID)
		}
		late[s.InvoiceID] = max(late[s.InvoiceID], s.DaysPastDue)
	}
	invoices, err := a.Store.InvoicesOf(ctx, in.AccountID, ids)
	if err != nil {
		return workflows.CustomerEmailDraft{}, err
	}
	var draft workflows.CustomerEmailDraft
	why := map[string]string{}
	for _, inv := range invoices {
		switch {
		case inv.Status == credit.InvoiceDisputed:
			why[inv.ID] = "the invoice is disputed"
		case inv.Status != credit.InvoiceOpen || inv.Balance.Minor == 0:
			why[inv.ID] = "nothing is owed any more"
		default:
			draft.Owed = append(draft.Owed, workflows.CustomerInvoice{
				InvoiceID: inv.ID, Number: inv.Number, Amount: workflows.MoneyOf(inv.Amount), Balance: workflows.MoneyOf(inv.Balance),
				DueDate: inv.DueDate, DaysPastDue: late[inv.ID],
			})
		}
	}
	owed := map[string]bool{}
	for _, inv := range draft.Owed {
		owed[inv.InvoiceID] = true
	}
	for _, id := range ids {
		if owed[id] {
			continue
		}
		if why[id] == "" {
			why[id] = "nothing is owed any more" // no such invoice of the account
		}
		draft.Dropped = append(draft.Dropped, workflows.DroppedInvoice{InvoiceID: id, Why: why[id]})
	}
	return draft, nil
}

// customerEmailLines bounds the invoices a customer's email lists one by
// one; the rest are counted, with their total, on one line.
const customerEmailLines = 100

// SendCustomerEmail sends a customer's email of the day to the account's
// billing contact as it is now. With one invoice it reads as that
// invoice's reminder always has; with several, it lists each with its
// number, balance, due date and days overdue, and the total open.
func (a *Activities) SendCustomerEmail(ctx context.Context, m workflows.CustomerEmail) (workflows.SentEmail, error) {
	if len(m.Invoices) == 0 {
		return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError("a customer email lists no invoice", workflows.ErrTypeTemplate, nil)
	}
	account, err := a.Store.Account(ctx, m.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError("account "+m.AccountID+" not found", workflows.ErrTypeNotFound, err)
	}
	if err != nil {
		return workflows.SentEmail{}, err
	}
	ids := make([]string, len(m.Invoices))
	for k, inv := range m.Invoices {
		ids[k] = inv.InvoiceID
	}
	out := workflows.Email{Key: m.Key, Kind: m.Kind, To: []string{account.BillingEmail}, Facts: customerFacts(account, m.Invoices),
		IDs: map[string]string{"account_id": account.ID}, InvoiceIDs: ids}
	if len(ids) == 1 {
		out.IDs["invoice_id"] = ids[0]
	}
	return a.SendEmail(ctx, out)
}

// customerFacts are what a customer email's templates read: one invoice's
// facts, as its own reminder had them, or the list (Invoices: a line per
// invoice, tab-separated cells) with its count and total.
func customerFacts(account credit.Account, invoices []workflows.CustomerInvoice) map[string]string {
	first := invoices[0]
	facts := map[string]string{
		"AccountName": account.Name,
		"AccountID":   account.ID,
	}
	if len(invoices) == 1 {
		facts["InvoiceID"] = first.InvoiceID
		facts["InvoiceNumber"] = first.Number
		facts["Amount"] = first.Amount.Display()
		facts["Balance"] = first.Balance.Display()
		facts["DueDate"] = first.DueDate
		facts["DaysOverdue"] = strconv.Itoa(max(first.DaysPastDue, 0))
		facts["DaysToDue"] = strconv.Itoa(max(-first.DaysPastDue, 0))
		return facts
	}
	var lines []string
	totals := map[string]int64{}
	var more int
	var moreTotals = map[string]int64{}
	for k, inv := range invoices {
		totals[inv.Balance.Currency] += inv.Balance.Minor
		if k >= customerEmailLines {
			more++
			moreTotals[inv.Balance.Currency] += inv.Balance.Minor
			continue
		}
		lines = append(lines, strings.Join([]string{inv.Number, inv.Balance.Display(), inv.DueDate, lateness(inv.DaysPastDue)}, "\t"))
	}
	facts["Invoices"] = strings.Join(lines, "\n")
	facts["InvoiceCount"] = strconv.Itoa(len(invoices))
	facts["Total"] = sumDisplay(totals)
	if more > 0 {
		facts["More"] = fmt.Sprintf("%d more invoices, %s in all", more, sumDisplay(moreTotals))
	}
	return facts
}

// lateness says where an invoice stands against its due date.
func lateness(daysPastDue int) string {
	switch {
	case daysPastDue == 1:
		return "1 day overdue"
	case daysPastDue > 1:
		return strconv.Itoa(daysPastDue) + " days overdue"
	case daysPastDue == 0:
		return "due today"
	case daysPastDue == -1:
		return "due tomorrow"
	default:
		return "due in " + strconv.Itoa(-daysPastDue) + " days"
	}
}

// sumDisplay shows amounts by currency: "EUR 5,000.00 and USD 120.00".
func sumDisplay(totals map[string]int64) string {
	currencies := make([]string, 0, len(totals))
	for c := range totals {
		currencies = append(currencies, c)
	}
	slices.Sort(currencies)
	parts := make([]string, len(currencies))
	for k, c := range currencies {
		parts[k] = money.New(totals[c], c).Display()
	}
	return strings.Join(parts, " and ")
}

// RecordDunningSteps keeps the steps a customer's email of the day took,
// each with the email it went out in, in one transaction.
func (a *Activities) RecordDunningSteps(ctx context.Context, in workflows.RecordStepsInput) error {
	rows := make([]store.StepRow, len(in.Steps))
	for k, r := range in.Steps {
		rows[k] = store.StepRow{Key: r.Key, InvoiceID: r.InvoiceID, EmailKey: r.EmailKey, Step: stepRow(r.Step)}
	}
	return a.Store.RecordSteps(ctx, rows)
}
