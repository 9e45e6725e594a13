package desk

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
)

// The admin's pages: users, the invoice import and the outbox. Who may
// use them is the API's to say (x-roles: admin); another role reads its
// refusal.

type usersData struct {
	Users []credit.User
	// Cursor is this page's, Next the following page's.
	Cursor, Next string
	// Confirm is the id of the user whose disabling waits for a yes,
	// Confirming that user when they are on this page and active.
	Confirm    string
	Confirming *credit.User
	// Added and Disabled name who was, for the notice.
	Added, Disabled string
	Form            form
	Roles           []string
}

// users lists users as GET /api/v1/users answers, with the form to add
// one. ?disable=ID asks, on the user's row, whether to disable them.
func (d *Desk) users(c echo.Context) error {
	v := usersData{Form: newForm(), Confirm: c.QueryParam("disable"),
		Added: c.QueryParam("added"), Disabled: c.QueryParam("disabled")}
	return d.usersPage(c, http.StatusOK, v)
}

func (d *Desk) usersPage(c echo.Context, status int, v usersData) error {
	u, _ := userOf(c)
	v.Cursor, v.Roles = c.QueryParam("cursor"), credit.Roles
	q := url.Values{}
	if v.Cursor != "" {
		q.Set("cursor", v.Cursor)
	}
	var page api.UserPage
	if err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/users?"+q.Encode(), nil, "", &page); err != nil {
		return d.problemPage(c, err)
	}
	v.Users, v.Next = page.Items, page.NextCursor
	for k, listed := range v.Users {
		if listed.ID == v.Confirm && listed.DisabledAt == nil && listed.ID != u.ID {
			v.Confirming = &v.Users[k]
		}
	}
	return d.render(c, status, "users.html", "Users", v)
}

// addUser sends the form to POST /api/v1/users. The approval limit goes
// as typed: a number as a number, anything else as text, for the API to
// name.
func (d *Desk) addUser(c echo.Context) error {
	u, _ := userOf(c)
	f := newForm()
	body := map[string]any{}
	for _, name := range []string{"email", "name", "role", "manager_email", "approval_limit"} {
		f.Values[name] = strings.TrimSpace(c.FormValue(name))
		if f.Values[name] == "" {
			continue
		}
		body[name] = f.Values[name]
		if _, err := strconv.ParseInt(f.Values[name], 10, 64); err == nil && name == "approval_limit" {
			body[name] = json.Number(f.Values[name])
		}
	}
	if _, given := body["email"]; !given {
		body["email"] = "" // for the API to say it is required, with the others
	}
	var added credit.User
	err := d.call(c.Request().Context(), u, http.MethodPost, "/api/v1/users", body, c.FormValue("idempotency_key"), &added)
	var p *api.Problem
	switch {
	case errors.As(err, &p) && p.Status != http.StatusForbidden:
		return d.usersPage(c, p.Status, usersData{Form: f.withProblem(p)})
	case err != nil:
		return d.problemPage(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/desk/admin/users?added="+url.QueryEscape(added.Email))
}

// disableUser sends the confirmed disabling to POST
// /api/v1/users/{id}/disable.
func (d *Desk) disableUser(c echo.Context) error {
	u, _ := userOf(c)
	var disabled credit.User
	err := d.call(c.Request().Context(), u, http.MethodPost, "/api/v1/users/"+url.PathEscape(c.Param("id"))+"/disable",
		nil, c.FormValue("idempotency_key"), &disabled)
	if err != nil {
		return d.problemPage(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/desk/admin/users?disabled="+url.QueryEscape(disabled.Email))
}

type importData struct {
	Form   form
	Report *api.ImportReport
	File   string
}

func (d *Desk) importPage(c echo.Context) error {
	return d.render(c, http.StatusOK, "import.html", "Import invoices", importData{Form: newForm()})
}

// importMediaTypes are the files the import takes, by their extension.
var importMediaTypes = map[string]string{
	".csv":    "text/csv",
	".ndjson": "application/x-ndjson",
	".jsonl":  "application/x-ndjson",
	".json":   echo.MIMEApplicationJSON,
}

// importFile streams the uploaded file to POST /api/v1/invoices/import
// as it arrives: the API spools it to disk, and the desk never holds it.
// The form's fields before the file (the CSRF token, then the
// Idempotency-Key) are read first; nothing after the file is.
func (d *Desk) importFile(c echo.Context) error {
	u, _ := userOf(c)
	mr, ok := uploadOf(c)
	if !ok {
		var err error
		if mr, err = c.Request().MultipartReader(); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Send the file with the import form.")
		}
	}
	v := importData{Form: newForm()}
	key := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			v.Form.Errors["file"] = "Choose a file to import."
			v.Form.Problem = "Please correct what is marked below."
			return d.render(c, http.StatusUnprocessableEntity, "import.html", "Import invoices", v)
		}
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The form did not arrive whole; send it again.")
		}
		switch part.FormName() {
		case "idempotency_key":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			key = string(b)
			continue
		case "file":
		default:
			continue
		}
		v.File = path.Base(part.FileName())
		mediaType := importMediaTypes[strings.ToLower(path.Ext(v.File))]
		switch {
		case part.FileName() == "":
			v.Form.Errors["file"] = "Choose a file to import."
		case mediaType == "":
			v.Form.Errors["file"] = "Choose a .csv, .ndjson or .json file."
		}
		if len(v.Form.Errors) > 0 {
			v.Form.Problem = "Please correct what is marked below."
			return d.render(c, http.StatusUnprocessableEntity, "import.html", "Import invoices", v)
		}
		var report api.ImportReport
		r := apiRequest{Method: http.MethodPost, Path: "/api/v1/invoices/import", ContentType: mediaType, Body: part, Key: key}
		w, err := d.send(c.Request().Context(), u, r)
		if err == nil {
			err = w.decode(r, &report)
		}
		var p *api.Problem
		switch {
		case errors.As(err, &p) && p.Status != http.StatusForbidden:
			v.Form = v.Form.withProblem(p)
			return d.render(c, p.Status, "import.html", "Import invoices", v)
		case err != nil:
			return d.problemPage(c, err)
		}
		v.Report = &report
		return d.render(c, http.StatusOK, "import.html", "Import invoices", v)
	}
}

type outboxData struct {
	Emails           []api.OutboxEmail
	Kind, To, Cursor string
	Next             string
	Kinds            []string
}

// outbox lists the outbox as GET /api/v1/emails answers, filtered by kind
// and recipient.
func (d *Desk) outbox(c echo.Context) error {
	u, _ := userOf(c)
	v := outboxData{Kind: c.QueryParam("kind"), To: strings.TrimSpace(c.QueryParam("to")), Cursor: c.QueryParam("cursor"), Kinds: email.Kinds}
	q := url.Values{}
	for name, value := range map[string]string{"kind": v.Kind, "to": v.To, "cursor": v.Cursor} {
		if value != "" {
			q.Set(name, value)
		}
	}
	var page api.EmailPage
	if err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/emails?"+q.Encode(), nil, "", &page); err != nil {
		return d.problemPage(c, err)
	}
	v.Emails, v.Next = page.Items, page.NextCursor
	return d.render(c, http.StatusOK, "outbox.html", "Outbox", v)
}

// NextPage is the address of the outbox's next page, with its filters.
func (v outboxData) NextPage() string {
	q := url.Values{"cursor": {v.Next}}
	if v.Kind != "" {
		q.Set("kind", v.Kind)
	}
	if v.To != "" {
		q.Set("to", v.To)
	}
	return "/desk/admin/outbox?" + q.Encode()
}
