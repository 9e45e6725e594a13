package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// The document's CreditRequest and Decision are the domain's.
type (
	CreditRequest     = credit.CreditRequest
	Decision          = credit.Decision
	CreditRequestPage = Page[credit.CreditRequest]
)

// CreateCreditRequest: a sales rep asks for a pre-approval or an increase.
func (h handlers) CreateCreditRequest(ctx context.Context, req CreateCreditRequestRequestObject) (CreateCreditRequestResponseObject, error) {
	user := currentUser(ctx)
	var ids keyedIDs
	if key := deref(req.Params.IdempotencyKey); key != "" {
		ids = func(kind, accountID string) (string, string) { return creditRequestIDs(user.ID, key, kind, accountID) }
	}
	r, err := h.fileCreditRequest(ctx, user, ids, *req.Body)
	if err != nil {
		return nil, err
	}
	return CreateCreditRequest202JSONResponse(r), nil
}

// keyedIDs derives a keyed request's ids from its kind and account: the
// request's, and its account's (nil: the request has no key).
type keyedIDs func(kind, accountID string) (requestID, account string)

// fileCreditRequest is the one way a rep's request is filed, alone or in
// a campaign's batch: validated, given its keyed ids, its workflow
// started. Retried with its key, it answers the request it filed, as it
// is now.
func (s *Server) fileCreditRequest(ctx context.Context, user credit.User, ids keyedIDs, body NewCreditRequest) (credit.CreditRequest, error) {
	if ids != nil {
		requestID, _ := ids(string(body.Kind), deref(body.AccountId))
		if existing, err := s.Store.CreditRequest(ctx, requestID); err == nil {
			return existing, nil
		}
	}
	r, err := s.newCreditRequest(ctx, user, body)
	if err != nil {
		return r, err
	}
	if ids != nil {
		r.ID, r.AccountID = ids(r.Kind, r.AccountID)
	}
	return s.startCreditRequest(ctx, r)
}

// newCreditRequest checks what the document cannot: amounts, blank text,
// the kind's companions, the account of an increase.
func (s *Server) newCreditRequest(ctx context.Context, user credit.User, body NewCreditRequest) (credit.CreditRequest, error) {
	var v checker
	requested := v.positiveMoney("requested_limit", body.RequestedLimit)
	r := credit.CreditRequest{
		ID:             newID("cr"),
		Kind:           string(body.Kind),
		Status:         credit.StatusScoring,
		RequestedLimit: requested,
		Reason:         v.text("reason", deref(body.Reason), false),
		Reasons:        []string{},
		CreatedBy:      user.Email,
		// As Postgres keeps it, so that the 202 and a later GET agree.
		CreatedAt: s.Now().UTC().Truncate(time.Microsecond),
	}
	r.UpdatedAt = r.CreatedAt
	if body.Campaign != nil {
		r.Campaign = v.line("campaign", *body.Campaign, true)
		if body.Kind != CreditRequestKindLimitIncrease {
			v.fail("campaign", "is for a limit_increase")
		}
	}
	accountID := deref(body.AccountId)
	switch body.Kind {
	case CreditRequestKindPreApproval:
		if accountID != "" {
			v.fail("account_id", "is for a limit_increase; a pre_approval names a prospect")
		}
		p := body.Prospect
		if p == nil {
			v.fail("prospect", "is required for a pre_approval")
			return r, v.err()
		}
		r.Prospect = &credit.Prospect{
			Name:               v.line("prospect.name", p.Name, true),
			RegistrationNumber: v.line("prospect.registration_number", p.RegistrationNumber, true),
			Country:            strings.ToUpper(p.Country),
			BillingEmail:       v.email("prospect.billing_email", p.BillingEmail),
			AnnualRevenue:      v.money("prospect.annual_revenue", p.AnnualRevenue),
			YearsInBusiness:    p.YearsInBusiness,
			TradeReferences:    p.TradeReferences,
			TimeZone:           v.timeZone("prospect.time_zone", p.TimeZone),
		}
		if rev := r.Prospect.AnnualRevenue; rev.Currency != "" && requested.Currency != "" && rev.Currency != requested.Currency {
			v.fail("prospect.annual_revenue.currency", "must be the currency of requested_limit ("+requested.Currency+")")
		}
		r.AccountID = newID("acc")
		if err := v.err(); err != nil {
			return r, err
		}
		// One open account per company: asking again would approve the
		// same customer twice, each up to the automatic ceiling.
		existing, err := s.Store.OpenAccountOfCompany(ctx, r.Prospect.Country, r.Prospect.RegistrationNumber)
		switch {
		case err == nil:
			return r, conflict(fmt.Sprintf("%s %s already has account %s (%s, %s, sales rep %s): ask for a limit_increase on it",
				r.Prospect.Country, r.Prospect.RegistrationNumber, existing.ID, existing.Name, existing.Status, existing.SalesRep))
		case !errors.Is(err, store.ErrNotFound):
			return r, err
		}
	case CreditRequestKindLimitIncrease:
		if body.Prospect != nil {
			v.fail("prospect", "is for a pre_approval; a limit_increase names an account_id")
		}
		if accountID == "" {
			v.fail("account_id", "is required for a limit_increase")
			return r, v.err()
		}
		v.text("account_id", accountID, true)
		if err := v.err(); err != nil {
			return r, err
		}
		account, err := s.Store.Account(ctx, accountID)
		if errors.Is(err, store.ErrNotFound) {
			return r, unprocessable(FieldProblem{"account_id", "no account with this id"})
		}
		if err != nil {
			return r, err
		}
		if !canSeeAccount(user, account.SalesRep) {
			return r, forbidden("only the account's sales rep asks for its limit to be raised")
		}
		if account.Status == credit.AccountProspect || account.Status == credit.AccountClosed {
			return r, conflict("account " + account.ID + " is " + account.Status + "; only a customer's limit can be raised")
		}
		if requested.Currency != account.CreditLimit.Currency {
			v.fail("requested_limit.currency", "must be the account's currency "+account.CreditLimit.Currency)
		} else if requested.Minor <= account.CreditLimit.Minor {
			v.fail("requested_limit.amount", "must be above the current limit "+account.CreditLimit.Display())
		}
		r.AccountID = account.ID
	default:
		v.fail("kind", "periodic reviews are started by Creditflow's review schedule; ask for a pre_approval or a limit_increase")
	}
	return r, v.err()
}

func (h handlers) GetCreditRequest(ctx context.Context, req GetCreditRequestRequestObject) (GetCreditRequestResponseObject, error) {
	r, err := h.readCreditRequest(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return GetCreditRequest200JSONResponse(r), nil
}

// readCreditRequest loads a request, if the user may see it.
func (s *Server) readCreditRequest(ctx context.Context, id string) (credit.CreditRequest, error) {
	r, err := s.Store.CreditRequest(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return r, notFound("credit request", id)
	}
	if err != nil {
		return r, err
	}
	if u := currentUser(ctx); u.Role == credit.RoleSales && !strings.EqualFold(u.Email, r.CreatedBy) {
		account, err := s.Store.Account(ctx, r.AccountID)
		if err != nil {
			return r, err
		}
		if !canSeeAccount(u, account.SalesRep) {
			return r, forbidden("sales reps see the requests of their own accounts")
		}
	}
	return r, nil
}

// ListCreditRequests: with status=pending_review, the credit team's inbox;
// a rep's list is their own requests.
func (h handlers) ListCreditRequests(ctx context.Context, req ListCreditRequestsRequestObject) (ListCreditRequestsResponseObject, error) {
	limit, after, err := pageParams(req.Params.Limit, req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	f := store.RequestFilter{Status: string(deref(req.Params.Status)), AccountID: deref(req.Params.AccountId), Campaign: deref(req.Params.Campaign)}
	if u := currentUser(ctx); u.Role == credit.RoleSales {
		f.CreatedBy = u.Email
	}
	items, next, err := h.Store.CreditRequests(ctx, f, after, limit)
	if err != nil {
		return nil, err
	}
	return ListCreditRequests200JSONResponse(pageOf(items, next)), nil
}

// DecideCreditRequest hands an analyst's decision to the workflow, which
// answers through a Workflow Update: 200 with the decided request, 403 or
// 409 when it refuses.
func (h handlers) DecideCreditRequest(ctx context.Context, req DecideCreditRequestRequestObject) (DecideCreditRequestResponseObject, error) {
	r, err := h.readCreditRequest(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	body, user := *req.Body, currentUser(ctx)
	var v checker
	d := workflows.DecisionInput{
		Outcome: string(body.Outcome),
		Reason:  v.text("reason", deref(body.Reason), body.Outcome == OutcomeDecline || body.Outcome == OutcomeHold),
		By:      decider(user),
	}
	switch {
	case body.Outcome == OutcomeHold && body.ApprovedLimit != nil:
		v.fail("approved_limit", "a hold keeps the limit; to lower it, approve a lower limit")
	case body.Outcome == OutcomeHold && r.Kind != credit.KindPeriodicReview:
		v.fail("outcome", "hold decides a periodic_review only")
	case body.Outcome == OutcomeHold, body.Outcome == OutcomeDecline:
	default:
		if body.ApprovedLimit == nil {
			v.fail("approved_limit", "is required, "+moneyExample)
		} else {
			limit := workflows.MoneyOf(v.positiveMoney("approved_limit", *body.ApprovedLimit))
			d.ApprovedLimit = &limit
			if limit.Currency != "" && limit.Currency != r.RequestedLimit.Currency {
				v.fail("approved_limit.currency", "must be the currency of the request ("+r.RequestedLimit.Currency+")")
			}
		}
	}
	conditions := deref(body.Conditions)
	switch {
	case body.Outcome == OutcomeApproveWithConditions && len(conditions) == 0:
		v.fail("conditions", "name at least one of "+strings.Join(credit.Conditions, ", "))
	case body.Outcome != OutcomeApproveWithConditions && len(conditions) > 0:
		v.fail("conditions", "only an approve_with_conditions carries conditions")
	}
	for k, item := range conditions {
		d.Conditions = append(d.Conditions, v.condition(fmt.Sprintf("conditions[%d]", k), item, r.RequestedLimit.Currency, h.Now()))
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	// Checked here for a clear answer, and again by the workflow, which
	// holds the truth.
	if strings.EqualFold(user.Email, r.CreatedBy) {
		return nil, forbidden("segregation of duties: nobody decides a request they created")
	}
	// Keeping or lowering a limit under review grants no credit.
	grants := d.ApprovedLimit != nil && (r.Kind != credit.KindPeriodicReview || d.ApprovedLimit.Minor > r.RequestedLimit.Minor)
	if user.Role == credit.RoleCredit && grants && user.ApprovalLimit != nil {
		if mine := money.FromMajor(*user.ApprovalLimit, d.ApprovedLimit.Currency); d.ApprovedLimit.Minor > mine.Minor {
			return nil, forbidden("approved_limit: above your approval limit of " + mine.Display())
		}
	}
	decided, err := h.updateCreditRequest(ctx, r, workflows.DecisionUpdate, d)
	if err != nil {
		return nil, err
	}
	return DecideCreditRequest200JSONResponse(decided), nil
}

// WithdrawCreditRequest: the rep who asked withdraws a request not yet
// decided.
func (h handlers) WithdrawCreditRequest(ctx context.Context, req WithdrawCreditRequestRequestObject) (WithdrawCreditRequestResponseObject, error) {
	r, err := h.readCreditRequest(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	var v checker
	w := workflows.WithdrawInput{By: decider(currentUser(ctx))}
	if req.Body != nil {
		w.Reason = v.text("reason", deref(req.Body.Reason), false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if !strings.EqualFold(w.By.Email, r.CreatedBy) {
		return nil, forbidden("only the sales rep who asked may withdraw a request")
	}
	withdrawn, err := h.updateCreditRequest(ctx, r, workflows.WithdrawUpdate, w)
	if err != nil {
		return nil, err
	}
	return WithdrawCreditRequest200JSONResponse(withdrawn), nil
}

// updateCreditRequest sends a decision or a withdrawal and answers with the
// request as stored: the workflow answers once its outcome is recorded.
func (s *Server) updateCreditRequest(ctx context.Context, r credit.CreditRequest, name string, arg any) (credit.CreditRequest, error) {
	gone := func() string {
		// Its status now: what ended the workflow may have happened
		// since it was read (an earlier attempt of this very decision).
		if now, err := s.Store.CreditRequest(context.WithoutCancel(ctx), r.ID); err == nil {
			return workflows.NoLongerWaiting(r.ID, now.Status)
		}
		return workflows.NoLongerWaiting(r.ID, r.Status)
	}
	if err := s.update(ctx, workflows.CreditRequestWorkflowID(r.ID), "", name, arg, nil, gone); err != nil {
		return r, err
	}
	return s.Store.CreditRequest(ctx, r.ID)
}

// condition reads one condition of a decision, an object or a bare type
// (the first version's), and checks that it carries what its type needs.
func (v *checker) condition(field string, item DecisionRequest_Conditions_Item, currency string, now time.Time) workflows.Condition {
	raw, err := item.MarshalJSON()
	var c credit.Condition
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil {
		v.fail(field, "must be a condition type or a condition object")
		return workflows.Condition{}
	}
	object := len(raw) > 0 && raw[0] == '{'
	out := workflows.Condition{Type: c.Type, ExpiresOn: c.ExpiresOn, TermsDays: c.TermsDays,
		Guarantor: v.line(field+".guarantor", c.Guarantor, object && c.Type == credit.ConditionPersonalGuarantee)}
	needsAmount := object && (c.Type == credit.ConditionDeposit || c.Type == credit.ConditionLetterOfCredit)
	switch {
	case c.Amount != nil:
		amount := workflows.MoneyOf(v.positiveMoney(field+".amount", Money{Amount: c.Amount.String(), Currency: c.Amount.Currency}))
		if amount.Currency != "" && amount.Currency != currency {
			v.fail(field+".amount.currency", "must be the currency of the request ("+currency+")")
		}
		out.Amount = &amount
	case needsAmount:
		v.fail(field+".amount", "is required for a "+strings.ReplaceAll(c.Type, "_", " "))
	}
	if object && c.Type == credit.ConditionLetterOfCredit {
		if expires, ok := v.date(field+".expires_on", c.ExpiresOn); ok && !expires.After(now) {
			v.fail(field+".expires_on", "a letter of credit must be valid after today")
		}
	}
	if object && c.Type == credit.ConditionShorterTerms && (c.TermsDays < 1 || c.TermsDays > 29) {
		v.fail(field+".terms_days", "shorter terms are 1 to 29 days")
	}
	return out
}

// MarkConditionMet: credit has what a condition asked for.
func (h handlers) MarkConditionMet(ctx context.Context, req MarkConditionMetRequestObject) (MarkConditionMetResponseObject, error) {
	r, err := h.settleCondition(ctx, req.Id, req.N, workflows.ConditionMet, req.Body.Note, req.Body.ExpiresOn)
	if err != nil {
		return nil, err
	}
	return MarkConditionMet200JSONResponse(r), nil
}

// WaiveCondition: a credit manager lets a condition go.
func (h handlers) WaiveCondition(ctx context.Context, req WaiveConditionRequestObject) (WaiveConditionResponseObject, error) {
	r, err := h.settleCondition(ctx, req.Id, req.N, workflows.ConditionWaived, req.Body.Note, nil)
	if err != nil {
		return nil, err
	}
	return WaiveCondition200JSONResponse(r), nil
}

// settleCondition sends a condition's settlement to the request's
// workflow, which holds the approval until its conditions are settled
// (and follows a letter of credit, with its expiry, until it expires).
func (s *Server) settleCondition(ctx context.Context, id string, n int, status string, note, expiresOn *string) (credit.CreditRequest, error) {
	r, err := s.readCreditRequest(ctx, id)
	if err != nil {
		return r, err
	}
	var v checker
	in := workflows.ConditionInput{N: n, Status: status, By: decider(currentUser(ctx)),
		Note: v.text("note", deref(note), status == workflows.ConditionMet)}
	if expiresOn != nil {
		if expires, ok := v.date("expires_on", *expiresOn); ok && !expires.After(s.Now()) {
			v.fail("expires_on", "a letter of credit must be valid after today")
		}
		in.ExpiresOn = *expiresOn
	}
	if err := v.err(); err != nil {
		return r, err
	}
	if r.Decision == nil || n >= len(r.Decision.Conditions) {
		return r, notFound("condition", fmt.Sprintf("%s/%d", id, n))
	}
	if r.Decision.Conditions[n].Status == "" {
		return r, conflict("this approval was decided before Creditflow held its conditions: they are not tracked")
	}
	return s.updateCreditRequest(ctx, r, workflows.ConditionUpdate, in)
}
