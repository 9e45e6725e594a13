package activities

import (
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/workflows"
)

// The workflows carry their own payload types; the store keeps rows of
// package credit. These turn one into the other.

func optionalAmount(m *workflows.Money) *money.Money {
	if m == nil {
		return nil
	}
	a := m.Amount()
	return &a
}

func creditRequestRow(r workflows.CreditRequest) credit.CreditRequest {
	row := credit.CreditRequest{
		ID: r.ID, Kind: r.Kind, Status: r.Status, AccountID: r.AccountID, RequestedLimit: r.RequestedLimit.Amount(),
		Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Campaign: r.Campaign,
	}
	if p := r.Prospect; p != nil {
		row.Prospect = &credit.Prospect{
			Name: p.Name, RegistrationNumber: p.RegistrationNumber, Country: p.Country, BillingEmail: p.BillingEmail,
			AnnualRevenue: p.AnnualRevenue.Amount(), YearsInBusiness: p.YearsInBusiness, TradeReferences: p.TradeReferences,
			TimeZone: p.TimeZone,
		}
	}
	return row
}

func decisionRow(d workflows.Decision) credit.Decision {
	return credit.Decision{
		Outcome: d.Outcome, ApprovedLimit: optionalAmount(d.ApprovedLimit), Conditions: conditionRows(d.Conditions), Reason: d.Reason,
		DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt, Automatic: d.Automatic, ReviewOutcome: d.ReviewOutcome,
	}
}

func conditionRows(cs []workflows.Condition) []credit.Condition {
	if cs == nil {
		return nil
	}
	out := make([]credit.Condition, len(cs))
	for k, c := range cs {
		out[k] = conditionRow(c)
	}
	return out
}

func conditionRow(c workflows.Condition) credit.Condition {
	return credit.Condition{Type: c.Type, Amount: optionalAmount(c.Amount), ExpiresOn: c.ExpiresOn, Guarantor: c.Guarantor,
		TermsDays: c.TermsDays, ExpiredOn: c.ExpiredOn, Status: c.Status, Note: c.Note, ResolvedBy: c.ResolvedBy, ResolvedAt: c.ResolvedAt}
}

func decider(d workflows.Decider) credit.Decider {
	return credit.Decider{UserID: d.UserID, Email: d.Email, Role: d.Role, ApprovalLimit: d.ApprovalLimit}
}

func invoiceRow(inv workflows.Invoice, createdBy string) credit.Invoice {
	return credit.Invoice{
		ID: inv.ID, AccountID: inv.AccountID, Number: inv.Number, Amount: inv.Amount.Amount(), Balance: inv.Balance.Amount(),
		Status: inv.Status, IssueDate: inv.IssueDate, DueDate: inv.DueDate, CreatedBy: createdBy,
		CreatedAt: inv.CreatedAt, UpdatedAt: inv.UpdatedAt,
	}
}

func stepRow(s workflows.DunningStep) credit.DunningStep {
	return credit.DunningStep{Day: s.Day, Action: s.Action, At: s.At, Reason: s.Reason, Outcome: s.Outcome}
}

func paymentRow(p workflows.Payment) credit.Payment {
	return credit.Payment{ID: p.ID, Amount: p.Amount.Amount(), ReceivedAt: p.ReceivedAt, Reference: p.Reference, By: p.By}
}

func disputeRow(d workflows.Dispute) credit.Dispute {
	return credit.Dispute{
		ID: d.ID, InvoiceID: d.InvoiceID, Reason: d.Reason, Department: d.Department, OwnerEmail: d.OwnerEmail,
		Status: d.Status, Resolution: d.Resolution, CreditNote: optionalAmount(d.CreditNote), CreatedAt: d.CreatedAt,
		ResolvedAt: d.ResolvedAt,
	}
}

func resolutionRow(r workflows.DisputeResolution) credit.DisputeResolution {
	return credit.DisputeResolution{DisputeID: r.DisputeID, Resolution: r.Resolution, CreditNote: optionalAmount(r.CreditNote), By: r.By}
}

func promiseRow(p workflows.PromiseToPay) credit.PromiseToPay {
	return credit.PromiseToPay{PromisedDate: p.PromisedDate, Amount: p.Amount.Amount(), By: p.By}
}

func writeOffRow(w workflows.WriteOff) credit.WriteOff {
	return credit.WriteOff{Reason: w.Reason, By: decider(w.By)}
}

func escalationRow(e workflows.Escalation) credit.Escalation {
	return credit.Escalation{
		ID: e.ID, AccountID: e.AccountID, InvoiceID: e.InvoiceID, SalesRep: e.SalesRep, Status: e.Status, Note: e.Note,
		PauseUntil: e.PauseUntil, CreatedAt: e.CreatedAt, AcknowledgedAt: e.AcknowledgedAt,
	}
}

func escalationPayload(e credit.Escalation) workflows.Escalation {
	return workflows.Escalation{
		ID: e.ID, AccountID: e.AccountID, InvoiceID: e.InvoiceID, SalesRep: e.SalesRep, Status: e.Status, Note: e.Note,
		PauseUntil: e.PauseUntil, CreatedAt: e.CreatedAt, AcknowledgedAt: e.AcknowledgedAt,
	}
}

func acknowledgementRow(a workflows.Acknowledgement) credit.Acknowledgement {
	return credit.Acknowledgement{Note: a.Note, PauseUntil: a.PauseUntil, By: decider(a.By)}
}
