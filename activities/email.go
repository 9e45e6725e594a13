package activities

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// SendEmail renders an email, writes it to the outbox and sends it through
// SendGrid once (store.DeliverOnce: no transaction during the call). Only
// SendGrid refusing the recipient's address (a 400 naming it) is recorded
// as rejected and returned as a non-retryable EmailRejected error, which
// the workflow answers by asking the rep for the right contact. Everything
// else is ours and a plain error that the activity's retry policy retries:
// 429, 5xx, timeouts, our key refused (401/403: counted, shown by /readyz,
// logged once per outage by the sender), our bug (413, another 400), and
// another attempt holding the email (store.ErrEmailInFlight). The email
// is rendered again on each attempt, so a fix deployed meanwhile applies.
func (a *Activities) SendEmail(ctx context.Context, e workflows.Email) (workflows.SentEmail, error) {
	to, err := a.recipients(ctx, e)
	if err != nil {
		return workflows.SentEmail{}, err
	}
	if len(to) == 0 {
		return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError("nobody to send "+e.Kind+" to", workflows.ErrTypeNoRecipient, nil)
	}
	facts, err := a.withDeskLinks(e)
	if err != nil {
		return workflows.SentEmail{}, err
	}
	e.Facts = facts
	facts, replyTo, replyRef := a.replyTo(e)
	kept := facts
	personal, err := a.actionLinks(ctx, e, to, facts[deskURL])
	if err != nil {
		return workflows.SentEmail{}, err
	}
	if personal != nil {
		facts = maps.Clone(facts)
		facts[deskURL] = actionLinkTag
	}
	subject, text, html, err := email.Render(e.Kind, facts)
	if err != nil {
		return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeTemplate, err)
	}
	args := map[string]string{"kind": e.Kind, "email_key": e.Key}
	for k, v := range e.IDs {
		if v != "" {
			args[k] = v
		}
	}
	m := email.Message{Key: e.Key, Kind: e.Kind, From: a.From, To: to, Subject: subject, Text: text, HTML: html, CustomArgs: args,
		ReplyTo: replyTo, PerRecipient: personal}

	row := outboxRow(m, e.IDs["account_id"])
	row.ReplyRef, row.InvoiceIDs = replyRef, e.InvoiceIDs
	if personal != nil {
		// An action link acts as its reader: like a sign-in link, it goes
		// to its reader's inbox only; the outbox that admins read keeps
		// the desk's plain link, which asks whoever follows it to sign in.
		if _, row.Text, row.HTML, err = email.Render(e.Kind, kept); err != nil {
			return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeTemplate, err)
		}
	}
	var logged []any
	if e.Kind == email.KindSignIn {
		if a.Mail != nil {
			// A sign-in link signs in whoever holds it: it goes to its
			// owner's inbox and nowhere else, not into the outbox that
			// admins read.
			facts[signInURL] = "(withheld: a sign-in link is sent, never kept)"
			if _, row.Text, row.HTML, err = email.Render(e.Kind, facts); err != nil {
				return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeTemplate, err)
			}
		} else {
			// Nobody receives it: the developer running without SendGrid
			// signs in with the link from the log (or the outbox).
			logged = []any{"sign_in_url", facts[signInURL]}
		}
	}
	status, err := a.deliver(ctx, m, row, logged...)
	return workflows.SentEmail{Status: status, To: to}, err
}

// outboxRow is what the outbox keeps of a message.
func outboxRow(m email.Message, accountID string) store.NewEmail {
	return store.NewEmail{Key: m.Key, Kind: m.Kind, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		CustomArgs: m.CustomArgs, AccountID: accountID}
}

// deliver writes an email's outbox row and sends m once
// (store.DeliverOnce); without SendGrid it logs the email with logged.
// SendGrid refusing the recipient for good is a non-retryable
// EmailRejected error; anything else is retried.
func (a *Activities) deliver(ctx context.Context, m email.Message, row store.NewEmail, logged ...any) (string, error) {
	logger := activity.GetLogger(ctx)
	status, err := a.Store.DeliverOnce(ctx, row, func(ctx context.Context) (string, error) {
		if a.Mail == nil {
			logger.Info("email not sent: SENDGRID_API_KEY is unset",
				append([]any{"kind", m.Kind, "key", m.Key, "to", m.To, "subject", m.Subject}, logged...)...)
			return store.EmailLogged, nil
		}
		err := a.Mail.Send(ctx, m)
		var rejected *email.RejectedError
		if errors.As(err, &rejected) {
			return store.EmailRejected, err
		}
		return store.EmailSent, err
	})
	var rejected *email.RejectedError
	if errors.As(err, &rejected) {
		return status, temporal.NewNonRetryableApplicationError(rejected.Error(), workflows.ErrTypeEmailRejected, err)
	}
	return status, err
}

func (a *Activities) recipients(ctx context.Context, e workflows.Email) ([]string, error) {
	to := slices.Clone(e.To)
	switch e.Audience {
	case "":
	case workflows.AudienceCreditTeam:
		if a.CreditTeam != "" {
			to = append(to, a.CreditTeam)
			break
		}
		analysts, err := a.Store.EmailsOfRole(ctx, credit.RoleCredit)
		if err != nil {
			return nil, err
		}
		to = append(to, analysts...)
	case workflows.AudienceCreditManagers:
		managers, err := a.Store.EmailsOfRole(ctx, credit.RoleCreditManager)
		if err != nil {
			return nil, err
		}
		to = append(to, managers...)
	case workflows.AudienceSalesRep:
		account, err := a.Store.Account(ctx, e.IDs["account_id"])
		if errors.Is(err, store.ErrNotFound) {
			return nil, temporal.NewNonRetryableApplicationError("no account "+e.IDs["account_id"]+" to find the sales rep of", workflows.ErrTypeNoRecipient, err)
		}
		if err != nil {
			return nil, err
		}
		to = append(to, account.SalesRep)
	default:
		return nil, temporal.NewNonRetryableApplicationError("unknown audience "+e.Audience, workflows.ErrTypeAudience, nil)
	}
	slices.Sort(to)
	return slices.Compact(to), nil
}

// Facts that the activity adds: links into the credit desk.
const (
	deskURL   = "DeskURL"
	signInURL = "SignInURL"
)

// withDeskLinks adds to an email's facts the link its reader follows to
// act: the request to decide, the escalation to acknowledge, the sign-in
// link. They are made here, not in the workflow, so that the emails of
// workflows already running carry them too, and so that a sign-in token
// is never written into a workflow's history.
func (a *Activities) withDeskLinks(e workflows.Email) (map[string]string, error) {
	facts := maps.Clone(e.Facts)
	if facts == nil {
		facts = map[string]string{}
	}
	if a.Links == nil {
		if e.Kind == email.KindSignIn {
			return nil, temporal.NewNonRetryableApplicationError("no desk links configured to sign the sign-in link", workflows.ErrTypeTemplate, nil)
		}
		return facts, nil
	}
	switch e.Kind {
	case email.KindRequestReceived, email.KindReviewReminder, email.KindReviewEscalation:
		if id := e.IDs["request_id"]; id != "" {
			facts[deskURL] = a.Links.Request(id)
		}
	case email.KindSalesEscalation, email.KindEscalationOverdue:
		if id := e.IDs["escalation_id"]; id != "" {
			facts[deskURL] = a.Links.Escalation(id)
		}
	case email.KindComplaintOpened:
		if id := e.IDs["account_id"]; id != "" {
			facts[deskURL] = a.Links.Account(id)
		}
	case email.KindSignIn:
		id := e.IDs[workflows.SignInLinkIDArg]
		if id == "" {
			return nil, temporal.NewNonRetryableApplicationError("a sign_in email names no sign-in link", workflows.ErrTypeTemplate, nil)
		}
		facts[signInURL] = a.Links.SignIn(id, facts["Next"])
	}
	return facts, nil
}

// actionLinkTag stands in an email for its reader's own action link, which
// SendGrid puts in each recipient's copy (email.Message.PerRecipient).
// Letters and dashes: no template escapes it.
const actionLinkTag = "-creditflow-action-link-"

// actionLinks gives each recipient of an email that asks to decide a
// request or acknowledge an escalation their own signed action link
// (links.ActionToken): it names them, so following it acts as them, with
// their role and limits, without signing in. A recipient who is no active
// user (the credit team's shared mailbox), or who may not take the action
// (the rep's manager told of an overdue escalation: only the account's
// rep acknowledges it), gets the desk's plain link, which asks them to
// sign in. Nil: the email carries no action.
func (a *Activities) actionLinks(ctx context.Context, e workflows.Email, to []string, plain string) (map[string]map[string]string, error) {
	if a.Links == nil || plain == "" {
		return nil, nil
	}
	var action, object string
	var may func(credit.User) bool
	switch e.Kind {
	case email.KindRequestReceived, email.KindReviewReminder, email.KindReviewEscalation:
		action, object = links.ActionDecideRequest, e.IDs["request_id"]
		may = func(u credit.User) bool { return u.Role == credit.RoleCredit || u.Role == credit.RoleCreditManager }
	case email.KindSalesEscalation, email.KindEscalationOverdue:
		action, object = links.ActionAcknowledgeEscalation, e.IDs["escalation_id"]
		may = func(u credit.User) bool { return strings.EqualFold(u.Email, e.Facts["SalesRep"]) }
	default:
		return nil, nil
	}
	expires := time.Now().Add(links.ActionLinkLasts)
	personal := make(map[string]map[string]string, len(to))
	for _, address := range to {
		link := plain
		u, err := a.Store.UserByEmail(ctx, address)
		switch {
		case err == nil && u.DisabledAt == nil && may(u):
			link = a.Links.Action(links.ActionToken{ID: links.ActionTokenID(e.Key, u.ID), UserID: u.ID,
				Action: action, Object: object, Expires: expires})
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		personal[address] = map[string]string{actionLinkTag: link}
	}
	return personal, nil
}
