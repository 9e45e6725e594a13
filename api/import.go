package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/credit"
)

// ImportReport answers an import line by line.
type ImportReport struct {
	Created    int          `json:"created"`
	Duplicates int          `json:"duplicates"`
	Errors     int          `json:"errors"`
	Lines      []ImportLine `json:"lines"`
	// Pacing: how the starts were paced (import_pacing.go).
	Pacing ImportPacing `json:"pacing"`
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

const (
	// maxImportLines bounds the invoices of one import call: a bigger ERP
	// sync is sent in several calls, each answered line by line.
	maxImportLines = 10_000
	// importChunk is how many lines are validated, stored and started
	// together: the import holds one chunk's invoices at a time, whatever
	// the size of the file.
	importChunk = 1_000
)

// importInvoices takes many invoices at once, for an ERP sync: a JSON
// array, NDJSON or CSV. It reads the body as a stream (the generated strict
// wrapper would decode a JSON array whole, so this operation is excluded
// from generation and routed in Handler): a first pass checks the framing
// (lines, length, JSON) so that a malformed file creates nothing, then
// the lines go through in chunks. Each line is validated on its own
// against the document's NewInvoice; the valid ones are stored in bulk
// (a number the account already has is a duplicate, not an error) and
// their workflows started.
func (h handlers) importInvoices(c echo.Context) error {
	body, ok := c.Request().Body.(io.ReadSeeker)
	if !ok {
		return fmt.Errorf("import: the body was not spooled (x-streamed missing from the document?)")
	}
	mediaType, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	lines := 0
	if err := eachImportLine(body, mediaType, func(importLine) error {
		if lines++; lines > maxImportLines {
			return problem(http.StatusRequestEntityTooLarge, "too-large", "Too many invoices",
				fmt.Sprintf("an import takes at most %d invoices per call; send the rest in another", maxImportLines))
		}
		return nil
	}); err != nil {
		return err
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return err
	}
	imp := importer{handlers: h, by: currentUser(c.Request().Context()).Email, seen: map[[2]string]bool{},
		report: ImportReport{Lines: make([]ImportLine, 0, lines)}}
	ctx := c.Request().Context()
	begin := time.Now()
	err := eachImportLine(body, mediaType, func(l importLine) error {
		imp.add(l)
		if len(imp.chunk) < importChunk {
			return nil
		}
		return imp.flush(ctx)
	})
	if err == nil {
		err = imp.flush(ctx)
	}
	if err != nil {
		return err
	}
	report := imp.report
	report.Pacing = h.importPacing(begin)
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
	if imp.valid == 0 && report.Duplicates == 0 {
		// Nothing in the body is an invoice: a bad request, not a report.
		errs := []FieldProblem{{"body", fmt.Sprintf("none of the %d lines is a valid invoice", len(report.Lines))}}
		for _, l := range report.Lines {
			for _, e := range l.Errors {
				errs = append(errs, FieldProblem{fmt.Sprintf("lines[%d].%s", l.Line, e.Field), e.Detail})
			}
		}
		return unprocessable(errs[:min(len(errs), 50)]...)
	}
	return c.JSON(http.StatusOK, report)
}

// importer carries an import from chunk to chunk: the report so far, the
// invoices of the chunk being read, and the business keys already seen
// (a number twice in one import is a duplicate).
type importer struct {
	handlers
	by     string
	report ImportReport
	chunk  []pendingLine
	seen   map[[2]string]bool
	valid  int // lines that were invoices, started or not
}

// pendingLine is a line that passed the document's checks, waiting for
// its chunk's account lookup and workflow start.
type pendingLine struct {
	index   int // in report.Lines
	invoice credit.Invoice
}

// add checks one line on its own; a valid one waits in the chunk.
func (imp *importer) add(l importLine) {
	imp.report.Lines = append(imp.report.Lines, ImportLine{Line: l.number})
	k := len(imp.report.Lines) - 1
	body, problems := importedInvoice(l.body)
	if len(problems) == 0 {
		var v checker
		inv := imp.newInvoice(&v, body, imp.by)
		if problems = v.errs; len(problems) == 0 {
			imp.chunk = append(imp.chunk, pendingLine{k, inv})
			return
		}
	}
	imp.report.Lines[k].Status, imp.report.Lines[k].Errors = lineInvalid, problems
}

// flush checks the chunk's invoices against their accounts, starts the
// valid ones' workflows (which write their rows) and reports each line.
func (imp *importer) flush(ctx context.Context) error {
	chunk := imp.chunk
	imp.chunk = imp.chunk[:0]
	if len(chunk) == 0 {
		return nil
	}
	var accountIDs []string
	for _, p := range chunk {
		if !slices.Contains(accountIDs, p.invoice.AccountID) {
			accountIDs = append(accountIDs, p.invoice.AccountID)
		}
	}
	accounts, err := imp.Store.AccountsByID(ctx, accountIDs)
	if err != nil {
		return err
	}
	var valid []credit.Invoice
	var lines []int
	for _, p := range chunk {
		line := &imp.report.Lines[p.index]
		var v checker
		account, found := accounts[p.invoice.AccountID]
		checkAccount(&v, &p.invoice, account, found)
		key := [2]string{p.invoice.AccountID, p.invoice.Number}
		switch {
		case len(v.errs) > 0:
			line.Status, line.Errors = lineInvalid, v.errs
		case imp.seen[key]:
			line.Status = lineDuplicate // twice in this import
		default:
			imp.seen[key] = true
			imp.valid++
			valid = append(valid, p.invoice)
			lines = append(lines, p.index)
		}
	}
	started, err := imp.startImportedInvoices(ctx, valid)
	if err != nil {
		return err
	}
	for k, inv := range valid {
		line := &imp.report.Lines[lines[k]]
		switch started[inv.ID] {
		case importDuplicate:
			line.Status = lineDuplicate
		case importStarted:
			line.Status, line.InvoiceID = lineCreated, inv.ID
		default:
			line.Status = lineInvalid
			line.Errors = []FieldProblem{{"body", "its follow-up could not be started; nothing was recorded, send the line again"}}
		}
	}
	return nil
}

type importLine struct {
	number int
	body   []byte // valid until the next line is read
}

// eachImportLine calls fn with each line of an import as it reads them:
// the elements of a JSON array, the non-blank lines of NDJSON or the rows
// of CSV (numbered as in the file). A line longer than 1 MiB, or a body
// that is not a JSON array of values, is a bad request.
func eachImportLine(r io.Reader, mediaType string, fn func(importLine) error) error {
	switch mediaType {
	case "application/x-ndjson":
		return eachNDJSONLine(r, fn)
	case "text/csv":
		return eachCSVLine(r, fn)
	}
	dec := json.NewDecoder(r)
	notJSON := func(err error) error {
		var syntax *json.SyntaxError
		switch {
		case errors.As(err, &syntax):
			return badRequest(FieldProblem{"body", fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())})
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return badRequest(FieldProblem{"body", "the JSON ends too early"})
		}
		return badRequest(FieldProblem{"body", "is not JSON"})
	}
	if tok, err := dec.Token(); err != nil {
		return notJSON(err)
	} else if tok != json.Delim('[') {
		return badRequest(FieldProblem{"body", "must be a JSON array; or send application/x-ndjson"})
	}
	n := 0
	for dec.More() {
		var element json.RawMessage
		if err := dec.Decode(&element); err != nil {
			return notJSON(err)
		}
		if n++; len(element) > maxBody {
			return badRequest(FieldProblem{"body", fmt.Sprintf("element %d is longer than 1 MiB", n)})
		}
		if err := fn(importLine{n, element}); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return notJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest(FieldProblem{"body", "unexpected data after the JSON value"})
	}
	if n == 0 {
		return badRequest(FieldProblem{"body", "no invoices: the array is empty"})
	}
	return nil
}

func eachNDJSONLine(r io.Reader, fn func(importLine) error) error {
	br := bufio.NewReaderSize(r, maxBody+1)
	lines := 0
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return badRequest(FieldProblem{"body", fmt.Sprintf("line %d is longer than 1 MiB", n)})
		case err != nil && err != io.EOF:
			return badRequest(FieldProblem{"body", "could not be read"})
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			lines++
			if err := fn(importLine{n, line}); err != nil {
				return err
			}
		}
		if err == io.EOF {
			break
		}
	}
	if lines == 0 {
		return badRequest(FieldProblem{"body", "no invoices: one JSON object per line"})
	}
	return nil
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

// importColumns are the columns a CSV import may have: NewInvoice's
// fields, with its money spelled as amount and currency.
var importColumns = []string{"account_id", "number", "amount", "currency", "issue_date", "due_date", "terms_days"}

// requiredColumns are those every CSV import must have (a row may still
// leave a cell empty, and is told so).
var requiredColumns = []string{"account_id", "number", "amount", "currency", "issue_date"}

// eachCSVLine reads CSV with a header row (RFC 4180, as an ERP or a
// spreadsheet exports it) and hands on each row as the NDJSON line it
// spells, so that a row is checked and imported exactly as a JSON line
// is. An empty cell is a field not given; terms_days that is not a whole
// number is passed on as text, for the document's check to name. A
// header that is not made of known columns, quoting that does not close
// or a row with another number of cells than the header is a bad
// request: such a file creates nothing.
func eachCSVLine(r io.Reader, fn func(importLine) error) error {
	limited := &rowLimit{r: r}
	cr := csv.NewReader(limited)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return badRequest(FieldProblem{"body", "no invoices: a header row, then one invoice per row"})
	}
	if err != nil {
		return csvProblem(err, limited)
	}
	limited.line = 1
	columns := slices.Clone(header)
	columns[0] = strings.TrimPrefix(columns[0], "\ufeff") // a spreadsheet's byte order mark
	for k, name := range columns {
		columns[k] = strings.ToLower(strings.TrimSpace(name))
		switch {
		case !slices.Contains(importColumns, columns[k]):
			return badRequest(FieldProblem{"body", fmt.Sprintf("the header's column %d (%q) is not one of %s",
				k+1, truncate(name, 64), strings.Join(importColumns, ", "))})
		case slices.Contains(columns[:k], columns[k]):
			return badRequest(FieldProblem{"body", fmt.Sprintf("the header names %s twice", columns[k])})
		}
	}
	for _, name := range requiredColumns {
		if !slices.Contains(columns, name) {
			return badRequest(FieldProblem{"body", fmt.Sprintf("the header has no %s column; it needs %s",
				name, strings.Join(requiredColumns, ", "))})
		}
	}
	rows := 0
	for {
		limited.read = 0
		record, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvProblem(err, limited)
		}
		line, _ := cr.FieldPos(0)
		limited.line = line
		invoice := map[string]any{}
		amount := map[string]any{}
		for k, cell := range record {
			if !utf8.ValidString(cell) {
				// JSON would carry it as U+FFFD: a number or a name changed
				// without anyone knowing.
				return badRequest(FieldProblem{"body", fmt.Sprintf("line %d is not UTF-8 text", line)})
			}
			cell = strings.TrimSpace(cell)
			switch name := columns[k]; {
			case cell == "":
			case name == "amount" || name == "currency":
				amount[name] = cell
			case name == "terms_days":
				if _, err := strconv.Atoi(cell); err == nil {
					invoice[name] = json.Number(cell)
				} else {
					invoice[name] = cell
				}
			default:
				invoice[name] = cell
			}
		}
		if len(amount) > 0 {
			invoice["amount"] = amount
		}
		body, err := json.Marshal(invoice)
		if err != nil {
			return err
		}
		rows++
		if err := fn(importLine{line, body}); err != nil {
			return err
		}
	}
	if rows == 0 {
		return badRequest(FieldProblem{"body", "no invoices: the header row is alone"})
	}
	return nil
}

func csvProblem(err error, limited *rowLimit) error {
	var parse *csv.ParseError
	switch {
	case errors.Is(err, errRowTooLong):
		return badRequest(FieldProblem{"body", fmt.Sprintf("the row after line %d is longer than 1 MiB", limited.line)})
	case errors.As(err, &parse) && errors.Is(parse.Err, csv.ErrFieldCount):
		return badRequest(FieldProblem{"body", fmt.Sprintf("line %d has another number of cells than the header", parse.StartLine)})
	case errors.As(err, &parse):
		return badRequest(FieldProblem{"body", fmt.Sprintf("line %d is not CSV: %s", parse.StartLine, parse.Err)})
	}
	return badRequest(FieldProblem{"body", "could not be read"})
}

// errRowTooLong: encoding/csv would hold a row of any length in memory.
var errRowTooLong = errors.New("row too long")

// rowLimit bounds how much a CSV reader reads for one row, as NDJSON's
// lines are bounded: read is reset before each row.
type rowLimit struct {
	r    io.Reader
	read int
	line int // the last row's line, for the problem
}

func (l *rowLimit) Read(p []byte) (int, error) {
	// The csv reader reads ahead by its buffer (4 KiB): the bound is a
	// little above 1 MiB, never unbounded.
	if l.read > maxBody+64<<10 {
		return 0, errRowTooLong
	}
	n, err := l.r.Read(p)
	l.read += n
	return n, err
}
