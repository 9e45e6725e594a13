package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

type prospectBody struct {
	Name               string `json:"name"`
	RegistrationNumber string `json:"registration_number"`
	Country            string `json:"country"`
	BillingEmail       string `json:"billing_email"`
	AnnualRevenue      *Money `json:"annual_revenue"`
	YearsInBusiness    *int   `json:"years_in_business"`
	TradeReferences    *int   `json:"trade_references"`
	TimeZone           string `json:"time_zone"`
}

type creditRequestBody struct {
	Kind           string        `json:"kind"`
	Prospect       *prospectBody `json:"prospect"`
	AccountID      string        `json:"account_id"`
	RequestedLimit *Money        `json:"requested_limit"`
	Reason         string        `json:"reason"`
}

// createCreditRequest: a sales rep asks for a pre-approval or an increase.
func (s *Server) createCreditRequest(c echo.Context) error {
	var body creditRequestBody
	if err := decode(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	user := currentUser(c)
	r, err := s.validateCreditRequest(ctx, user, body)
	if err != nil {
		return err
	}
	if key := c.Request().Header.Get("Idempotency-Key"); key != "" {
		r.ID, r.AccountID = creditRequestIDs(user.ID, key, r.Kind, r.AccountID)
	}
	if r, err = s.startCreditRequest(ctx, r); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, r)
}

func (s *Server) validateCreditRequest(ctx context.Context, user credit.User, body creditRequestBody) (credit.CreditRequest, error) {
	var v checker
	kind := v.oneOf("kind", body.Kind, credit.KindPreApproval, credit.KindLimitIncrease)
	requested := v.positiveMoney("requested_limit", body.RequestedLimit)
	r := credit.CreditRequest{
		ID:             newID("cr"),
		Kind:           kind,
		Status:         credit.StatusScoring,
		RequestedLimit: requested,
		Reason:         v.text("reason", body.Reason, false, 2000),
		Reasons:        []string{},
		CreatedBy:      user.Email,
		// As Postgres keeps it, so that the 202 and a later GET agree.
		CreatedAt: s.Now().UTC().Truncate(time.Microsecond),
	}
	r.UpdatedAt = r.CreatedAt
	switch kind {
	case credit.KindPreApproval:
		if body.AccountID != "" {
			v.fail("account_id", "is for a limit_increase; a pre_approval names a prospect")
		}
		if body.Prospect == nil {
			v.fail("prospect", "is required for a pre_approval")
			return r, v.err()
		}
		p := body.Prospect
		r.Prospect = &credit.Prospect{
			Name:               v.text("prospect.name", p.Name, true, 200),
			RegistrationNumber: v.text("prospect.registration_number", p.RegistrationNumber, true, 64),
			Country:            v.country("prospect.country", p.Country),
			BillingEmail:       v.email("prospect.billing_email", p.BillingEmail, true),
			AnnualRevenue:      v.money("prospect.annual_revenue", p.AnnualRevenue),
			YearsInBusiness:    v.intRange("prospect.years_in_business", p.YearsInBusiness, 0, 500),
			TradeReferences:    v.intRange("prospect.trade_references", p.TradeReferences, 0, 100),
			TimeZone:           v.timeZone("prospect.time_zone", p.TimeZone),
		}
		if rev := r.Prospect.AnnualRevenue; rev.Currency != "" && requested.Currency != "" && rev.Currency != requested.Currency {
			v.fail("prospect.annual_revenue.currency", "must be the currency of requested_limit ("+requested.Currency+")")
		}
		r.AccountID = newID("acc")
	case credit.KindLimitIncrease:
		if body.Prospect != nil {
			v.fail("prospect", "is for a pre_approval; a limit_increase names an account_id")
		}
		if body.AccountID == "" {
			v.fail("account_id", "is required for a limit_increase")
			return r, v.err()
		}
		v.text("account_id", body.AccountID, true, 64)
		if err := v.err(); err != nil {
			return r, err
		}
		account, err := s.Store.Account(ctx, body.AccountID)
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
	}
	return r, v.err()
}

func (s *Server) getCreditRequest(c echo.Context) error {
	r, err := s.readCreditRequest(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// readCreditRequest loads the request in the path, if the user may see it.
func (s *Server) readCreditRequest(c echo.Context) (credit.CreditRequest, error) {
	id := c.Param("id")
	r, err := s.Store.CreditRequest(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return r, notFound("credit request", truncate(id, 64))
	}
	if err != nil {
		return r, err
	}
	if u := currentUser(c); u.Role == credit.RoleSales && !strings.EqualFold(u.Email, r.CreatedBy) {
		account, err := s.Store.Account(c.Request().Context(), r.AccountID)
		if err != nil {
			return r, err
		}
		if !canSeeAccount(u, account.SalesRep) {
			return r, forbidden("sales reps see the requests of their own accounts")
		}
	}
	return r, nil
}

func (s *Server) listCreditRequests(c echo.Context) error {
	limit, after, err := pageParams(c)
	if err != nil {
		return err
	}
	f := store.RequestFilter{Status: c.QueryParam("status"), AccountID: c.QueryParam("account_id")}
	if f.Status != "" {
		var v checker
		v.oneOf("status", f.Status, credit.StatusScoring, credit.StatusPendingReview, credit.StatusApproved,
			credit.StatusApprovedWithConditions, credit.StatusDeclined, credit.StatusExpired, credit.StatusWithdrawn)
		if err := v.err(); err != nil {
			return err
		}
	}
	if u := currentUser(c); u.Role == credit.RoleSales {
		f.CreatedBy = u.Email // a rep's list is their own requests
	}
	items, next, err := s.Store.CreditRequests(c.Request().Context(), f, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, next))
}

type decisionBody struct {
	Outcome       string   `json:"outcome"`
	ApprovedLimit *Money   `json:"approved_limit"`
	Conditions    []string `json:"conditions"`
	Reason        string   `json:"reason"`
}

// decideCreditRequest hands an analyst's decision to the workflow, which
// answers synchronously through a Workflow Update: 200 with the decided
// request, 403 or 409 when it refuses.
func (s *Server) decideCreditRequest(c echo.Context) error {
	var body decisionBody
	if err := decode(c, &body); err != nil {
		return err
	}
	r, err := s.readCreditRequest(c)
	if err != nil {
		return err
	}
	user := currentUser(c)
	var v checker
	d := workflows.DecisionInput{
		Outcome: v.oneOf("outcome", body.Outcome, credit.OutcomeApprove, credit.OutcomeApproveWithConditions, credit.OutcomeDecline),
		Reason:  v.text("reason", body.Reason, body.Outcome == credit.OutcomeDecline, 2000),
		By:      decider(user),
	}
	if d.Outcome != credit.OutcomeDecline {
		limit := workflows.MoneyOf(v.positiveMoney("approved_limit", body.ApprovedLimit))
		d.ApprovedLimit = &limit
		if limit.Currency != "" && limit.Currency != r.RequestedLimit.Currency {
			v.fail("approved_limit.currency", "must be the currency of the request ("+r.RequestedLimit.Currency+")")
		}
	}
	if d.Outcome == credit.OutcomeApproveWithConditions {
		if len(body.Conditions) == 0 {
			v.fail("conditions", "name at least one of "+strings.Join(credit.Conditions, ", "))
		}
		for i, cond := range body.Conditions {
			d.Conditions = append(d.Conditions, v.oneOf(fmt.Sprintf("conditions[%d]", i), cond, credit.Conditions...))
		}
	} else if len(body.Conditions) > 0 {
		v.fail("conditions", "only an approve_with_conditions carries conditions")
	}
	if err := v.err(); err != nil {
		return err
	}
	// Checked here for a clear answer, and again by the workflow, which
	// holds the truth.
	if strings.EqualFold(user.Email, r.CreatedBy) {
		return forbidden("segregation of duties: nobody decides a request they created")
	}
	if user.Role == credit.RoleCredit && d.ApprovedLimit != nil && user.ApprovalLimit != nil &&
		d.ApprovedLimit.Minor > money.FromMajor(*user.ApprovalLimit, d.ApprovedLimit.Currency).Minor {
		return forbidden("approved_limit: above your approval limit of " + money.FromMajor(*user.ApprovalLimit, d.ApprovedLimit.Currency).Display())
	}
	return s.updateCreditRequest(c, r, workflows.DecisionUpdate, d)
}

type withdrawBody struct {
	Reason string `json:"reason"`
}

func (s *Server) withdrawCreditRequest(c echo.Context) error {
	var body withdrawBody
	if c.Request().ContentLength != 0 {
		if err := decode(c, &body); err != nil {
			return err
		}
	}
	r, err := s.readCreditRequest(c)
	if err != nil {
		return err
	}
	var v checker
	w := workflows.WithdrawInput{Reason: v.text("reason", body.Reason, false, 2000), By: decider(currentUser(c))}
	if err := v.err(); err != nil {
		return err
	}
	if !strings.EqualFold(w.By.Email, r.CreatedBy) {
		return forbidden("only the sales rep who asked may withdraw a request")
	}
	return s.updateCreditRequest(c, r, workflows.WithdrawUpdate, w)
}

// updateCreditRequest sends an update and waits for the workflow's answer.
func (s *Server) updateCreditRequest(c echo.Context, r credit.CreditRequest, update string, arg any) error {
	ctx := c.Request().Context()
	handle, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.CreditRequestWorkflowID(r.ID),
		UpdateName:   update,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, nil)
	}
	if err != nil {
		return updateProblem(err, workflows.NoLongerWaiting(r.ID, r.Status), "update credit request "+r.ID)
	}
	// The workflow answered once its outcome was recorded: the row is the
	// decided request.
	decided, err := s.Store.CreditRequest(ctx, r.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decided)
}

// updateProblem turns a refused Workflow Update into the HTTP answer it
// means: the workflow's own 409, 403 or 422, gone (409) when the workflow
// has ended, and 503 when Temporal could not be asked.
func updateProblem(err error, gone, what string) error {
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &appErr):
		switch appErr.Type() {
		case workflows.ErrTypeConflict:
			return conflict(appErr.Message())
		case workflows.ErrTypeForbidden:
			return forbidden(appErr.Message())
		case workflows.ErrTypeInvalid:
			field, detail, _ := strings.Cut(appErr.Message(), ": ")
			return unprocessable(FieldProblem{Field: field, Detail: detail})
		}
	case errors.As(err, &notFound), strings.Contains(err.Error(), "workflow execution already completed"):
		return conflict(gone)
	}
	return fmt.Errorf("%w: %s: %w", errUnavailable, what, err)
}
