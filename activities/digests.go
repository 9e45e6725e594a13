package activities

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// PlanDigest fixes the week a digest run at in.At reports on, in the
// digest's zone and with the policy day: the worker knows both.
func (a *Activities) PlanDigest(_ context.Context, in workflows.PlanDigestInput) (workflows.DigestPlan, error) {
	w := policy.WeekOf(in.At, a.digestZone(), a.Day)
	return workflows.DigestPlan{Period: w.Period, At: in.At, DecidedFrom: w.DecidedFrom,
		Today: w.Today.Format(time.DateOnly), DueUntil: w.DueUntil.Format(time.DateOnly)}, nil
}

// ListDigestRecipients lists the next page of sales reps and credit
// managers, by email.
func (a *Activities) ListDigestRecipients(ctx context.Context, in workflows.ListDigestRecipientsInput) (workflows.DigestRecipients, error) {
	users, err := a.Store.DigestRecipients(ctx, in.After, in.Limit+1)
	if err != nil {
		return workflows.DigestRecipients{}, err
	}
	var page workflows.DigestRecipients
	for _, u := range users[:min(len(users), in.Limit)] {
		page.Recipients = append(page.Recipients, workflows.DigestRecipient{Email: u.Email, Name: u.Name, Role: u.Role})
	}
	if len(users) > in.Limit && in.Limit > 0 {
		page.Next = page.Recipients[in.Limit-1].Email
	}
	return page, nil
}

// SendDigest composes one person's digest from their accounts (a rep's
// own only) and sends it under the key digest/<period>/<user>: once per
// person per period, however often the digest runs. Nothing to report:
// no email.
func (a *Activities) SendDigest(ctx context.Context, in workflows.SendDigestInput) (workflows.DigestOutcome, error) {
	key := workflows.DigestKey(in.Plan.Period, in.Recipient.Email)
	if sent, err := a.Store.EmailFinished(ctx, key); err != nil {
		return workflows.DigestOutcome{}, err
	} else if sent {
		return workflows.DigestOutcome{Status: workflows.DigestSent}, nil // by an earlier run this period
	}
	view, err := a.composeDigest(ctx, in)
	if err != nil {
		return workflows.DigestOutcome{}, err
	}
	if len(view.Sections) == 0 {
		return workflows.DigestOutcome{Status: workflows.DigestEmpty}, nil
	}
	subject, text, html, err := email.Render(email.KindWeeklyDigest, view)
	if err != nil {
		return workflows.DigestOutcome{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeTemplate, err)
	}
	m := email.Message{Key: key, Kind: email.KindWeeklyDigest, From: a.From, To: []string{in.Recipient.Email},
		Subject: subject, Text: text, HTML: html,
		CustomArgs: map[string]string{"kind": email.KindWeeklyDigest, "email_key": key, "period": in.Plan.Period}}
	if _, err := a.deliver(ctx, m, outboxRow(m, "")); err != nil {
		return workflows.DigestOutcome{}, err
	}
	return workflows.DigestOutcome{Status: workflows.DigestSent}, nil
}

// digestView is what the weekly_digest templates show: the counts first,
// then each non-empty list.
type digestView struct {
	Name, Period, Intro, Summary string
	Sections                     []digestSection
}

type digestSection struct {
	Title, Short string
	Total, More  int
	Items        []digestLine
}

type digestLine struct {
	Account, Why, Since, Link string
}

func (a *Activities) composeDigest(ctx context.Context, in workflows.SendDigestInput) (digestView, error) {
	p := a.Policy.Digest
	at := in.Plan.At
	sc := store.DigestScope{
		At: at, DecidedFrom: in.Plan.DecidedFrom, Today: in.Plan.Today, DueUntil: in.Plan.DueUntil,
		ReviewDueBefore: at.Add(-time.Duration(a.Policy.Review.ReminderAfterDays) * a.day()),
		HighRiskBands:   p.HighRiskBands, HighRiskSegments: p.HighRiskSegments, HighRiskOverdueDays: p.HighRiskOverdueDays,
		MostOverdue: p.MostOverdueAccounts, Items: p.ItemsPerList,
	}
	name := in.Recipient.Name
	if name == "" {
		name = in.Recipient.Email
	}
	v := digestView{Name: name, Period: in.Plan.Period}
	add := func(title, short string, l store.DigestList) {
		if l.Total == 0 {
			return
		}
		s := digestSection{Title: title, Short: short, Total: l.Total, More: l.Total - len(l.Items)}
		for _, it := range l.Items {
			line := digestLine{Account: it.Account, Why: it.Why}
			if a.Links != nil {
				line.Link = a.Links.Desk() + it.Link + "/" + url.PathEscape(it.LinkID)
			}
			if it.Since != nil {
				line.Since = a.since(*it.Since, at)
			}
			s.Items = append(s.Items, line)
		}
		v.Sections = append(v.Sections, s)
	}
	switch in.Recipient.Role {
	case credit.RoleSales:
		d, err := a.Store.RepDigest(ctx, in.Recipient.Email, sc)
		if err != nil {
			return v, err
		}
		v.Intro = "Here is what needs you this week on your accounts."
		add("Your accounts on hold", "on hold", d.OnHold)
		add("Escalations waiting for your acknowledgement", "escalations waiting", d.Escalations)
		add("High-risk accounts", "high risk", d.HighRisk)
		add("Promises to pay falling due this week", "promises due", d.PromisesDue)
		add("Your credit requests awaiting credit", "requests awaiting credit", d.AwaitingCredit)
	case credit.RoleCreditManager:
		d, err := a.Store.ManagerDigest(ctx, sc)
		if err != nil {
			return v, err
		}
		v.Intro = "Here is the credit desk's week."
		add(fmt.Sprintf("Requests waiting past the review service level (%d days)", a.Policy.Review.ReminderAfterDays),
			"past the service level", d.PastServiceLevel)
		add("Accounts on hold", "on hold", d.Holds)
		add("Overdue accounts, the most overdue first", "overdue accounts", d.MostOverdue)
		add("This week's credit decisions", "decisions", d.Decisions)
	default:
		return v, temporal.NewNonRetryableApplicationError("no digest for the role "+in.Recipient.Role, workflows.ErrTypeNoRecipient, nil)
	}
	for k, s := range v.Sections {
		if k == 2 {
			v.Summary += ", …"
			break
		}
		if k > 0 {
			v.Summary += ", "
		}
		v.Summary += fmt.Sprintf("%d %s", s.Total, s.Short)
	}
	return v, nil
}

// since says when a line began, in the digest's zone, and how long ago.
func (a *Activities) since(t, at time.Time) string {
	days := int(at.Sub(t).Hours() / 24)
	when := t.In(a.digestZone()).Format("2 Jan 2006")
	switch {
	case days <= 0:
		return "since " + when
	case days == 1:
		return "since " + when + ", 1 day"
	default:
		return fmt.Sprintf("since %s, %d days", when, days)
	}
}

func (a *Activities) digestZone() *time.Location {
	if a.DigestZone == nil {
		return time.UTC
	}
	return a.DigestZone
}

func (a *Activities) day() time.Duration {
	if a.Day <= 0 {
		return 24 * time.Hour
	}
	return a.Day
}
