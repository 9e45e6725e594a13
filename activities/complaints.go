package activities

import (
	"context"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/workflows"
)

// RecordComplaint writes a complaint's row and its timeline entry (once:
// the API may have written them already) and, for a complaint that is not
// an invoice's dispute, composes the email that tells its owner.
func (a *Activities) RecordComplaint(ctx context.Context, in workflows.Complaint) (workflows.ComplaintOpened, error) {
	if err := a.Store.OpenComplaint(ctx, credit.Complaint{
		ID: in.ID, AccountID: in.AccountID, Subject: in.Subject, Department: in.Department, OwnerEmail: in.OwnerEmail,
		InvoiceID: in.InvoiceID, DisputeID: in.DisputeID, OpenedBy: in.OpenedBy, CreatedAt: in.CreatedAt,
	}); err != nil {
		return workflows.ComplaintOpened{}, err
	}
	if in.DisputeID != "" {
		return workflows.ComplaintOpened{}, nil // the invoice's workflow told the owner of its dispute
	}
	account, err := a.Store.Account(ctx, in.AccountID)
	if err != nil {
		return workflows.ComplaintOpened{}, err
	}
	return workflows.ComplaintOpened{Notice: &workflows.Email{
		Key: workflows.ComplaintWorkflowID(in.ID) + "/owner", Kind: email.KindComplaintOpened, To: []string{in.OwnerEmail},
		Facts: map[string]string{
			"AccountName": account.Name, "AccountID": account.ID, "Subject": in.Subject,
			"Department": in.Department, "OpenedBy": in.OpenedBy,
		},
		IDs: map[string]string{"account_id": account.ID, "complaint_id": in.ID},
	}}, nil
}
