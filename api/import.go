package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/creditflow/creditflow/credit"
)

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

// ImportInvoices takes many invoices at once, for an ERP sync: a JSON
// array or NDJSON. Each line is validated on its own against the
// document's NewInvoice, the valid ones are stored in bulk (a number the
// account already has is a duplicate, not an error), and their workflows
// are started concurrently.
func (h handlers) ImportInvoices(ctx context.Context, req ImportInvoicesRequestObject) (ImportInvoicesResponseObject, error) {
	lines, err := importLines(req)
	if err != nil {
		return nil, err
	}
	by := currentUser(ctx).Email
	report := ImportReport{Lines: make([]ImportLine, len(lines))}
	invoices := make([]*credit.Invoice, len(lines))
	var accountIDs []string
	for k, l := range lines {
		report.Lines[k].Line = l.number
		body, problems := importedInvoice(l.body)
		if len(problems) == 0 {
			var v checker
			inv := h.newInvoice(&v, body, by)
			problems = v.errs
			invoices[k] = &inv
			if !slices.Contains(accountIDs, inv.AccountID) {
				accountIDs = append(accountIDs, inv.AccountID)
			}
		}
		if len(problems) > 0 {
			report.Lines[k].Status, report.Lines[k].Errors, invoices[k] = lineInvalid, problems, nil
		}
	}
	accounts, err := h.Store.AccountsByID(ctx, accountIDs)
	if err != nil {
		return nil, err
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
		key := [2]string{inv.AccountID, inv.Number}
		switch {
		case len(v.errs) > 0:
			report.Lines[k].Status, report.Lines[k].Errors, invoices[k] = lineInvalid, v.errs, nil
		case firstLine[key]:
			report.Lines[k].Status, invoices[k] = lineDuplicate, nil // twice in this import
		default:
			firstLine[key] = true
			valid = append(valid, *inv)
		}
	}
	started, err := h.startImportedInvoices(ctx, valid)
	if err != nil {
		return nil, err
	}
	for k, inv := range invoices {
		if inv == nil {
			continue
		}
		switch started[inv.ID] {
		case importDuplicate:
			report.Lines[k].Status = lineDuplicate
		case importStarted:
			report.Lines[k].Status, report.Lines[k].InvoiceID = lineCreated, inv.ID
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
		return nil, unprocessable(errs[:min(len(errs), 50)]...)
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
	return ImportInvoices200JSONResponse(report), nil
}

type importLine struct {
	number int
	body   []byte
}

// maxImportLines bounds the invoices of one import call: a bigger ERP
// sync is sent in several calls, each answered line by line.
const maxImportLines = 10_000

// importLines splits an import into its lines: the elements of a JSON
// array, or the non-blank lines of NDJSON (numbered as in the file). The
// NDJSON lines are slices of the body jsonBody read, not copies.
func importLines(req ImportInvoicesRequestObject) ([]importLine, error) {
	tooMany := problem(http.StatusRequestEntityTooLarge, "too-large", "Too many invoices",
		fmt.Sprintf("an import takes at most %d invoices per call; send the rest in another", maxImportLines))
	if req.JSONBody != nil {
		switch n := len(*req.JSONBody); {
		case n == 0:
			return nil, badRequest(FieldProblem{"body", "no invoices: the array is empty"})
		case n > maxImportLines:
			return nil, tooMany
		}
		out := make([]importLine, len(*req.JSONBody))
		for k, e := range *req.JSONBody {
			out[k] = importLine{k + 1, e}
		}
		return out, nil
	}
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, badRequest(FieldProblem{"body", "could not be read"})
	}
	var out []importLine
	for n := 1; len(raw) > 0; n++ {
		line, rest, _ := bytes.Cut(raw, []byte{'\n'})
		raw = rest
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		if len(line) > maxBody {
			return nil, badRequest(FieldProblem{"body", fmt.Sprintf("line %d is longer than 1 MiB", n)})
		}
		if len(out) == maxImportLines {
			return nil, tooMany
		}
		out = append(out, importLine{n, line})
	}
	if len(out) == 0 {
		return nil, badRequest(FieldProblem{"body", "no invoices: one JSON object per line"})
	}
	return out, nil
}

// newInvoiceSchema is the document's NewInvoice, which every line of an
// import must be.
var newInvoiceSchema = sync.OnceValue(func() *openapi3.Schema { return spec().Components.Schemas["NewInvoice"].Value })

// importedInvoice validates one line as the validator does a body, and
// names its problems the same way.
func importedInvoice(line []byte) (NewInvoice, []FieldProblem) {
	var body NewInvoice
	if err := wellFormed(line); err != nil {
		return body, err.(*Problem).Errors
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return body, []FieldProblem{{"body", "is not JSON"}}
	}
	if err := newInvoiceSchema().VisitJSON(value, openapi3.MultiErrors()); err != nil {
		return body, requestProblem(err).Errors
	}
	if err := json.Unmarshal(line, &body); err != nil {
		return body, []FieldProblem{{"body", "is not an invoice"}}
	}
	return body, nil
}
