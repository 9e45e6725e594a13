package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// invoiceRoutes serves the invoice side: invoices and their follow-up,
// disputes, escalations, account notes and credit checks.
func (s *Server) invoiceRoutes(v1 *echo.Group) {
	sales, analyst, manager, admin := credit.RoleSales, credit.RoleCredit, credit.RoleCreditManager, credit.RoleAdmin
	anyone := credit.Roles
	v1.POST("/invoices", s.createInvoice, allow(analyst, manager, admin))
	v1.POST("/invoices/import", s.importInvoices, allow(admin))
	v1.GET("/invoices/:id", s.getInvoice, allow(anyone...))
	v1.POST("/invoices/:id/payments", s.recordPayment, allow(analyst, manager, admin))
	v1.POST("/invoices/:id/disputes", s.openDispute, allow(anyone...))
	v1.POST("/disputes/:id/resolve", s.resolveDispute, allow(analyst, manager, admin))
	v1.POST("/invoices/:id/promises", s.recordPromise, allow(sales, analyst, manager))
	v1.POST("/invoices/:id/write-off", s.writeOffInvoice, allow(manager))
	v1.POST("/escalations/:id/acknowledge", s.acknowledgeEscalation, allow(sales))
	v1.POST("/accounts/:id/notes", s.addNote, allow(anyone...))
	v1.POST("/accounts/:id/credit-checks", s.checkCredit, allow(sales, admin))
}

type invoiceBody struct {
	AccountID string `json:"account_id"`
	Number    string `json:"number"`
	Amount    *Money `json:"amount"`
	IssueDate string `json:"issue_date"`
	DueDate   string `json:"due_date"`
	TermsDays *int   `json:"terms_days"`
}

// validateInvoice checks an invoice's own fields; its account is checked
// by checkAccount.
func (s *Server) validateInvoice(v *checker, body invoiceBody, by string) credit.Invoice {
	inv := credit.Invoice{
		AccountID: v.text("account_id", body.AccountID, true, 64),
		Number:    v.text("number", body.Number, true, 64),
		Amount:    v.positiveMoney("amount", body.Amount),
		Status:    credit.InvoiceOpen,
		CreatedBy: by,
		CreatedAt: s.Now().UTC().Truncate(time.Microsecond),
	}
	inv.ID = workflows.InvoiceID(inv.AccountID, inv.Number)
	inv.Balance, inv.UpdatedAt = inv.Amount, inv.CreatedAt
	issued, ok := v.date("issue_date", body.IssueDate, true)
	due, hasDue := v.date("due_date", body.DueDate, false)
	terms := 30
	switch {
	case body.DueDate != "" && body.TermsDays != nil:
		v.fail("terms_days", "give due_date or terms_days, not both")
	case body.TermsDays != nil:
		terms = v.intRange("terms_days", body.TermsDays, 0, 3650)
	}
	if !ok {
		return inv
	}
	// An invoice is issued today or before; a day's grace for the time
	// zones ahead of UTC.
	if tomorrow := s.Now().UTC().AddDate(0, 0, 1); issued.Year() < 1900 || issued.After(tomorrow) {
		v.fail("issue_date", "must be a date from 1900 until today")
		return inv
	}
	if !hasDue {
		due = issued.AddDate(0, 0, terms)
	}
	if due.Before(issued) {
		v.fail("due_date", "must not be before issue_date")
	}
	if due.Sub(issued) > 3650*24*time.Hour {
		v.fail("due_date", "must be within 10 years of issue_date")
	}
	inv.IssueDate, inv.DueDate = issued.Format(time.DateOnly), due.Format(time.DateOnly)
	return inv
}

// checkAccount: an invoice is for an existing, open account, in its currency.
func checkAccount(v *checker, inv credit.Invoice, account credit.Account, found bool) {
	switch {
	case !found:
		v.fail("account_id", "no account with this id")
	case account.Status == credit.AccountClosed:
		v.fail("account_id", "the account is closed")
	case inv.Amount.Currency != "" && inv.Amount.Currency != account.CreditLimit.Currency:
		v.fail("amount.currency", "must be the account's currency "+account.CreditLimit.Currency)
	}
}

// createInvoice issues one invoice and starts its follow-up.
func (s *Server) createInvoice(c echo.Context) error {
	var body invoiceBody
	if err := decode(c, &body); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var v checker
	inv := s.validateInvoice(&v, body, currentUser(c).Email)
	if err := v.err(); err != nil {
		return err
	}
	account, err := s.Store.Account(ctx, inv.AccountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	checkAccount(&v, inv, account, err == nil)
	if err := v.err(); err != nil {
		return err
	}
	if err := s.startInvoice(ctx, inv); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, inv)
}

// ImportReport answers an import line by line.
type ImportReport struct {
	Created    int          `json:"created"`
	Duplicates int          `json:"duplicates"`
	Errors     int          `json:"errors"`
	Lines      []ImportLine `json:"lines"`
}

// ImportLine is what became of one line of an import.
type ImportLine struct {
	Line      int            `json:"line"`
	Status    string         `json:"status"`
	InvoiceID string         `json:"invoice_id,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
}

// Import line statuses.
const (
	lineCreated   = "created"
	lineDuplicate = "duplicate"
	lineInvalid   = "invalid"
)

// importInvoices takes many invoices at once, for an ERP sync: a JSON
// array or NDJSON. Each line is validated on its own, the valid ones are
// stored in bulk (a number the account already has is a duplicate, not
// an error), and their workflows are started concurrently.
func (s *Server) importInvoices(c echo.Context) error {
	ctx := c.Request().Context()
	raw, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxImportBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return problem(http.StatusRequestEntityTooLarge, "too-large", "Body too large", fmt.Sprintf("an import may have at most %d bytes", maxImportBody))
		}
		return badRequest("body", "could not be read")
	}
	lines, err := importLines(c.Request().Header.Get(echo.HeaderContentType), raw)
	if err != nil {
		return err
	}
	user := currentUser(c)
	report := ImportReport{Lines: make([]ImportLine, len(lines))}
	invoices := make([]*credit.Invoice, len(lines))
	var accountIDs []string
	seenAccount := map[string]bool{}
	for k, l := range lines {
		report.Lines[k].Line = l.number
		var body invoiceBody
		if err := decodeJSON(l.body, &body); err != nil {
			report.Lines[k].Status, report.Lines[k].Errors = lineInvalid, problemFields(err)
			continue
		}
		var v checker
		inv := s.validateInvoice(&v, body, user.Email)
		if len(v.errs) > 0 {
			report.Lines[k].Status, report.Lines[k].Errors = lineInvalid, v.errs
			continue
		}
		invoices[k] = &inv
		if !seenAccount[inv.AccountID] {
			seenAccount[inv.AccountID] = true
			accountIDs = append(accountIDs, inv.AccountID)
		}
	}
	accounts, err := s.Store.AccountsByID(ctx, accountIDs)
	if err != nil {
		return err
	}
	var valid []credit.Invoice
	firstLine := map[[2]string]bool{}
	for k, inv := range invoices {
		if inv == nil {
			continue
		}
		var v checker
		account, found := accounts[inv.AccountID]
		checkAccount(&v, *inv, account, found)
		if len(v.errs) > 0 {
			report.Lines[k].Status, report.Lines[k].Errors, invoices[k] = lineInvalid, v.errs, nil
			continue
		}
		if key := [2]string{inv.AccountID, inv.Number}; firstLine[key] {
			report.Lines[k].Status, invoices[k] = lineDuplicate, nil // twice in this import
			continue
		} else {
			firstLine[key] = true
		}
		valid = append(valid, *inv)
	}
	outcome, err := s.startImportedInvoices(ctx, valid)
	if err != nil {
		return err
	}
	for k, inv := range invoices {
		if inv == nil {
			continue
		}
		switch outcome[inv.ID] {
		case importStarted:
			report.Lines[k].Status, report.Lines[k].InvoiceID = lineCreated, inv.ID
		case importDuplicate:
			report.Lines[k].Status = lineDuplicate
		default:
			report.Lines[k].Status = lineInvalid
			report.Lines[k].Errors = []FieldProblem{{"body", "its follow-up could not be started; nothing was recorded, send the line again"}}
		}
	}
	if len(valid) == 0 && !slices.ContainsFunc(report.Lines, func(l ImportLine) bool { return l.Status == lineDuplicate }) {
		// Nothing in the body is an invoice: a bad request, not a report.
		errs := []FieldProblem{{"body", fmt.Sprintf("none of the %d lines is a valid invoice", len(lines))}}
		for _, l := range report.Lines {
			for _, e := range l.Errors {
				errs = append(errs, FieldProblem{fmt.Sprintf("lines[%d].%s", l.Line, e.Field), e.Detail})
			}
		}
		return unprocessable(errs[:min(len(errs), 50)]...)
	}
	for _, l := range report.Lines {
		switch l.Status {
		case lineCreated:
			report.Created++
		case lineDuplicate:
			report.Duplicates++
		default:
			report.Errors++
		}
	}
	return c.JSON(http.StatusOK, report)
}

type importLine struct {
	number int
	body   []byte
}

// importLines splits an import into its lines: the elements of a JSON
// array, or the non-blank lines of NDJSON (numbered as in the file).
func importLines(contentType string, raw []byte) ([]importLine, error) {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch mediaType {
	case "application/x-ndjson":
		var out []importLine
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(make([]byte, 0, 64<<10), maxBody)
		for n := 1; sc.Scan(); n++ {
			if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
				out = append(out, importLine{n, bytes.Clone(line)})
			}
		}
		if err := sc.Err(); err != nil {
			return nil, badRequest("body", "a line is longer than 1 MiB")
		}
		if len(out) == 0 {
			return nil, badRequest("body", "no invoices: one JSON object per line")
		}
		return out, nil
	case "application/json", "":
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, badRequest("body", "must be a JSON array of invoices (or NDJSON with Content-Type application/x-ndjson)")
		}
		if len(elems) == 0 {
			return nil, badRequest("body", "no invoices: the array is empty")
		}
		out := make([]importLine, len(elems))
		for k, e := range elems {
			out[k] = importLine{k + 1, e}
		}
		return out, nil
	}
	return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
		"send application/json (an array) or application/x-ndjson")
}

// problemFields lists the fields a decoding problem names.
func problemFields(err error) []FieldProblem {
	var p *Problem
	if errors.As(err, &p) && len(p.Errors) > 0 {
		return p.Errors
	}
	return []FieldProblem{{"body", err.Error()}}
}

// readInvoice loads the invoice in the path, if the user may see it.
func (s *Server) readInvoice(c echo.Context) (credit.Invoice, error) {
	id := c.Param("id")
	ctx := c.Request().Context()
	inv, err := s.Store.Invoice(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return inv, notFound("invoice", truncate(id, 64))
	}
	if err != nil {
		return inv, err
	}
	if u := currentUser(c); u.Role == credit.RoleSales {
		account, err := s.Store.Account(ctx, inv.AccountID)
		if err != nil {
			return inv, err
		}
		if !canSeeAccount(u, account.SalesRep) {
			return inv, forbidden("sales reps see the invoices of their own accounts")
		}
	}
	return inv, nil
}

// followUp adds what only the running workflow knows: the next step and
// why, and the days overdue on the policy clock.
func (s *Server) followUp(ctx context.Context, inv credit.Invoice) credit.Invoice {
	inv.DaysOverdue = daysOverdue(inv, s.Now().UTC())
	if inv.Status != credit.InvoiceOpen && inv.Status != credit.InvoiceDisputed {
		return inv
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	v, err := s.Temporal.QueryWorkflow(ctx, workflows.InvoiceWorkflowID(inv.ID), "", workflows.StatusQuery)
	var live workflows.Invoice
	if err == nil {
		err = v.Get(&live)
	}
	if err != nil {
		s.Logger.Warn("invoice status query", "invoice_id", inv.ID, "error", err)
		return inv
	}
	inv.DaysOverdue = live.DaysOverdue
	if n := live.NextStep; n != nil {
		inv.NextStep = &credit.DunningStep{Day: n.Day, Action: n.Action, At: n.At, Reason: n.Reason, Outcome: n.Outcome}
	}
	if inv.Segment == "" {
		inv.Segment = live.Segment
	}
	return inv
}

func (s *Server) getInvoice(c echo.Context) error {
	inv, err := s.readInvoice(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.followUp(c.Request().Context(), inv))
}

// updateInvoice sends an update to the invoice's workflow and waits for
// its answer.
func (s *Server) updateInvoice(c echo.Context, workflowID, updateID, update string, arg, result any) error {
	ctx := c.Request().Context()
	handle, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     updateID,
		UpdateName:   update,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, result)
	}
	if err == nil {
		return nil
	}
	return updateProblem(err, workflowID+" is no longer running", update+" "+workflowID)
}

// openInvoice refuses, with 409, an operation on a settled invoice.
func openInvoice(inv credit.Invoice) error {
	if inv.Status == credit.InvoicePaid || inv.Status == credit.InvoiceWrittenOff {
		return conflict(fmt.Sprintf("invoice %s is %s", inv.ID, inv.Status))
	}
	return nil
}

type paymentBody struct {
	Amount     *Money `json:"amount"`
	ReceivedAt string `json:"received_at"`
	Reference  string `json:"reference"`
}

func (s *Server) recordPayment(c echo.Context) error {
	var body paymentBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var v checker
	amount := v.positiveMoney("amount", body.Amount)
	p := workflows.Payment{
		ID:        newID("pay"),
		Amount:    workflows.MoneyOf(amount),
		Reference: v.text("reference", body.Reference, false, 200),
		By:        currentUser(c).Email,
	}
	p.ReceivedAt = v.instant("received_at", body.ReceivedAt)
	if err := v.err(); err != nil {
		return err
	}
	inv, err := s.readInvoice(c)
	if err != nil {
		return err
	}
	if err := openInvoice(inv); err != nil {
		return err
	}
	if amount.Currency != inv.Balance.Currency {
		return unprocessable(FieldProblem{"amount.currency", "must be the invoice's currency " + inv.Balance.Currency})
	}
	if amount.Minor > inv.Balance.Minor {
		return unprocessable(FieldProblem{"amount.amount", "exceeds the balance of " + inv.Balance.Display()})
	}
	if err := s.updateInvoice(c, workflows.InvoiceWorkflowID(inv.ID), p.ID, workflows.PaymentUpdate, p, nil); err != nil {
		return err
	}
	return s.answerInvoice(c, inv.ID)
}

// answerDispute answers with the dispute as it is now.
func (s *Server) answerDispute(c echo.Context, status int, id string) error {
	d, err := s.Store.Dispute(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(status, d)
}

// daysOverdue is how many calendar days past its due date an unpaid
// invoice is today.
func daysOverdue(inv credit.Invoice, today time.Time) int {
	if inv.Status != credit.InvoiceOpen && inv.Status != credit.InvoiceDisputed {
		return 0
	}
	return policy.DaysOverdue(policy.ParseDate(inv.DueDate), today)
}

// answerInvoice answers with the invoice as it is now.
func (s *Server) answerInvoice(c echo.Context, id string) error {
	inv, err := s.Store.Invoice(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.followUp(c.Request().Context(), inv))
}

type disputeBody struct {
	Reason     string `json:"reason"`
	Department string `json:"department"`
	OwnerEmail string `json:"owner_email"`
}

func (s *Server) openDispute(c echo.Context) error {
	var body disputeBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var v checker
	d := workflows.Dispute{
		ID:         newID("dsp"),
		Reason:     v.text("reason", body.Reason, true, 2000),
		Department: v.oneOf("department", body.Department, credit.Departments...),
		OwnerEmail: v.email("owner_email", body.OwnerEmail, true),
	}
	if err := v.err(); err != nil {
		return err
	}
	inv, err := s.readInvoice(c)
	if err != nil {
		return err
	}
	if err := openInvoice(inv); err != nil {
		return err
	}
	if inv.Status == credit.InvoiceDisputed {
		return conflict(fmt.Sprintf("invoice %s is already disputed", inv.ID))
	}
	req := workflows.DisputeInput{Dispute: d, By: currentUser(c).Email}
	if err := s.updateInvoice(c, workflows.InvoiceWorkflowID(inv.ID), d.ID, workflows.DisputeUpdate, req, nil); err != nil {
		return err
	}
	return s.answerDispute(c, http.StatusCreated, d.ID)
}

type resolutionBody struct {
	Resolution string `json:"resolution"`
	CreditNote *Money `json:"credit_note"`
}

func (s *Server) resolveDispute(c echo.Context) error {
	var body resolutionBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var v checker
	r := workflows.DisputeResolution{
		DisputeID:  c.Param("id"),
		Resolution: v.text("resolution", body.Resolution, true, 2000),
		By:         currentUser(c).Email,
	}
	if body.CreditNote != nil {
		note := workflows.MoneyOf(v.positiveMoney("credit_note", body.CreditNote))
		r.CreditNote = &note
	}
	if err := v.err(); err != nil {
		return err
	}
	d, err := s.Store.Dispute(c.Request().Context(), r.DisputeID)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("dispute", truncate(r.DisputeID, 64))
	}
	if err != nil {
		return err
	}
	if d.Status != credit.DisputeOpen {
		return conflict(fmt.Sprintf("dispute %s is already %s", d.ID, d.Status))
	}
	if err := s.updateInvoice(c, workflows.InvoiceWorkflowID(d.InvoiceID), "resolve/"+d.ID, workflows.ResolveDisputeUpdate, r, nil); err != nil {
		return err
	}
	return s.answerDispute(c, http.StatusOK, d.ID)
}

type promiseBody struct {
	PromisedDate string `json:"promised_date"`
	Amount       *Money `json:"amount"`
}

func (s *Server) recordPromise(c echo.Context) error {
	var body promiseBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var v checker
	p := workflows.PromiseToPay{Amount: workflows.MoneyOf(v.positiveMoney("amount", body.Amount)), By: currentUser(c).Email}
	if date, ok := v.date("promised_date", body.PromisedDate, true); ok {
		p.PromisedDate = date.Format(time.DateOnly)
	}
	if err := v.err(); err != nil {
		return err
	}
	inv, err := s.readInvoice(c)
	if err != nil {
		return err
	}
	if err := openInvoice(inv); err != nil {
		return err
	}
	if err := s.updateInvoice(c, workflows.InvoiceWorkflowID(inv.ID), newID("prm"), workflows.PromiseUpdate, p, nil); err != nil {
		return err
	}
	return s.answerInvoice(c, inv.ID)
}

type writeOffBody struct {
	Reason string `json:"reason"`
}

func (s *Server) writeOffInvoice(c echo.Context) error {
	var body writeOffBody
	if c.Request().ContentLength != 0 {
		if err := decode(c, &body); err != nil {
			return err
		}
	}
	var v checker
	w := workflows.WriteOff{Reason: v.text("reason", body.Reason, false, 2000), By: decider(currentUser(c))}
	if err := v.err(); err != nil {
		return err
	}
	inv, err := s.readInvoice(c)
	if err != nil {
		return err
	}
	if err := openInvoice(inv); err != nil {
		return err
	}
	if err := s.updateInvoice(c, workflows.InvoiceWorkflowID(inv.ID), "write-off/"+inv.ID, workflows.WriteOffUpdate, w, nil); err != nil {
		return err
	}
	return s.answerInvoice(c, inv.ID)
}

type acknowledgementBody struct {
	Note       string `json:"note"`
	PauseUntil string `json:"pause_until"`
}

func (s *Server) acknowledgeEscalation(c echo.Context) error {
	var body acknowledgementBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var v checker
	ack := workflows.Acknowledgement{Note: v.text("note", body.Note, true, 4000), By: decider(currentUser(c))}
	if date, ok := v.date("pause_until", body.PauseUntil, false); ok {
		ack.PauseUntil = date.Format(time.DateOnly)
	}
	if err := v.err(); err != nil {
		return err
	}
	id := c.Param("id")
	e, err := s.Store.Escalation(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("escalation", truncate(id, 64))
	}
	if err != nil {
		return err
	}
	if !strings.EqualFold(e.SalesRep, ack.By.Email) {
		return forbidden("only the account's sales rep acknowledges its escalations")
	}
	switch e.Status {
	case credit.EscalationAcknowledged:
		return conflict(fmt.Sprintf("escalation %s is already acknowledged", e.ID))
	case credit.EscalationClosed:
		return conflict(fmt.Sprintf("escalation %s is closed: its invoice was settled", e.ID))
	}
	if err := s.updateInvoice(c, workflows.EscalationWorkflowID(e.ID), "acknowledge/"+e.ID, workflows.AcknowledgeUpdate, ack, nil); err != nil {
		return err
	}
	out, err := s.Store.Escalation(c.Request().Context(), e.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type noteBody struct {
	Body       string `json:"body"`
	Department string `json:"department"`
}

func (s *Server) addNote(c echo.Context) error {
	var body noteBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var v checker
	n := credit.Note{
		ID:         newID("note"),
		Body:       v.text("body", body.Body, true, 4000),
		Department: v.oneOf("department", body.Department, credit.Departments...),
		Author:     currentUser(c).Email,
	}
	if err := v.err(); err != nil {
		return err
	}
	a, err := s.readAccount(c)
	if err != nil {
		return err
	}
	n.AccountID = a.ID
	n, err = s.Store.AddNote(c.Request().Context(), n)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}

type creditCheckBody struct {
	Amount *Money `json:"amount"`
}

// checkCredit answers whether an order of the amount may ship: not while
// the account is on hold, nor beyond its available credit.
func (s *Server) checkCredit(c echo.Context) error {
	var body creditCheckBody
	if err := decode(c, &body); err != nil {
		return err
	}
	var v checker
	amount := v.positiveMoney("amount", body.Amount)
	if err := v.err(); err != nil {
		return err
	}
	a, err := s.readAccount(c)
	if err != nil {
		return err
	}
	if amount.Currency != a.CreditLimit.Currency {
		return unprocessable(FieldProblem{"amount.currency", "must be the account's currency " + a.CreditLimit.Currency})
	}
	check := policy.CheckCredit(a.Status, amount, a.AvailableCredit)
	return c.JSON(http.StatusOK, credit.CreditCheck{Approved: check.Approved, AvailableCredit: a.AvailableCredit, Reason: check.Reason})
}

// instant validates a required RFC 3339 instant.
func (v *checker) instant(field, s string) time.Time {
	if s == "" {
		v.fail(field, "is required (RFC 3339, such as 2025-03-01T10:00:00Z)")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Year() < 1900 || t.Year() > 9000 {
		v.fail(field, "must be an instant in RFC 3339, such as 2025-03-01T10:00:00Z")
	}
	return t.UTC()
}
