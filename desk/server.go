// Package desk is the credit desk: the web pages that sales reps and
// credit analysts use instead of curl, served under /desk/ on the API's
// port. Pages are rendered on the server with html/template; htmx (in
// static/, vendored from npm) only refreshes parts of them; forms work
// without it.
//
// The desk holds no business rule. Every page reads and acts through the
// API itself, called in-process as the signed-in user (calls.go): the
// same routes, roles (x-roles), validation, handlers and problems as a
// client with that user's token. What the API answers is what the page
// shows, a refusal included.
package desk

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
)

//go:embed all:templates static
var files embed.FS

// Desk serves the credit desk.
type Desk struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	Links     *links.Links
	Logger    *slog.Logger
	// Review and Day give a waiting request's service level in time
	// (the policy's review days, CREDITFLOW_DAY), for the inbox.
	Review policy.Review
	Day    time.Duration
	// Now is the wall clock; tests may fix it.
	Now func() time.Time

	api   http.Handler
	pages map[string]*template.Template
}

// Lifetimes.
const (
	// SessionLasts is a working day: a desk left open overnight asks to
	// sign in again.
	SessionLasts = 12 * time.Hour
	// SignInLinkLasts is how long an emailed sign-in link works.
	SignInLinkLasts = 15 * time.Minute
	// maxLiveSignInLinks bounds the links one user may hold at once.
	maxLiveSignInLinks = 5
)

// Mount serves the desk under /desk/ on the API's router, through which
// it also calls the API.
func (d *Desk) Mount(e *echo.Echo) {
	if d.Now == nil {
		d.Now = time.Now
	}
	d.api = e
	d.pages = parsePages()
	static, _ := fs.Sub(files, "static")

	g := e.Group("/desk", d.headers, d.failures, d.session, d.checkCSRF)
	g.GET("/static/*", echo.WrapHandler(http.StripPrefix("/desk/static/", http.FileServer(http.FS(static)))))
	e.GET("/desk", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/desk/") })
	g.GET("/", d.home)

	g.GET("/sign-in", d.signInPage)
	g.POST("/sign-in/token", d.signInWithToken)
	g.POST("/sign-in/email", d.emailSignInLink)
	g.GET("/sign-in/link", d.confirmSignInLink)
	g.POST("/sign-in/link", d.signInWithLink)
	g.POST("/sign-out", d.signOut)

	// Emailed action links name their user: no session needed.
	g.GET("/requests/:id/link", d.confirmRequestLink)
	g.POST("/requests/:id/link", d.decideByLink)
	g.GET("/escalations/:id/link", d.confirmEscalationLink)
	g.POST("/escalations/:id/link", d.acknowledgeByLink)

	signedIn := g.Group("", d.requireUser)
	signedIn.GET("/inbox", d.inbox)
	signedIn.GET("/requests", d.requests)
	signedIn.GET("/requests/new", d.newRequest)
	signedIn.POST("/requests/preview", d.previewRequest)
	signedIn.POST("/requests", d.fileRequest)
	signedIn.GET("/requests/:id", d.request)
	signedIn.POST("/requests/:id/decision", d.decide)
	signedIn.POST("/requests/:id/conditions/:n/:verb", d.settleCondition)
	signedIn.GET("/escalations", d.escalations)
	signedIn.GET("/escalations/:id", d.escalation)
	signedIn.POST("/escalations/:id/acknowledge", d.acknowledge)
	signedIn.GET("/accounts", d.accounts)
	signedIn.GET("/accounts/:id", d.account)
	signedIn.POST("/accounts/:id", d.changeAccount)
	signedIn.POST("/accounts/:id/holds", d.holdAccount)
	signedIn.POST("/accounts/:id/holds/release", d.releaseHolds)
	signedIn.POST("/accounts/:id/complaints", d.logComplaint)
	signedIn.POST("/accounts/:id/complaints/:complaint/resolve", d.resolveComplaint)
	signedIn.GET("/invoices/:id", d.invoice)
	signedIn.POST("/invoices/:id/payments", d.recordPayment)
	signedIn.POST("/invoices/:id/disputes", d.openDispute)
	signedIn.POST("/invoices/:id/promises", d.recordPromise)
	signedIn.GET("/credit-check", d.creditCheck)
	signedIn.POST("/credit-check", d.checkCredit)
	signedIn.GET("/reports", d.reports)
	signedIn.GET("/reports/aging.csv", d.agingCSV)
	signedIn.GET("/admin/users", d.users)
	signedIn.POST("/admin/users", d.addUser)
	signedIn.POST("/admin/users/:id/disable", d.disableUser)
	signedIn.GET("/admin/import", d.importPage)
	signedIn.POST("/admin/import", d.importFile)
	signedIn.GET("/admin/outbox", d.outbox)

	g.Any("/*", func(c echo.Context) error {
		return d.errorPage(c, http.StatusNotFound, "Not found", "There is no page at this address.")
	})
}

// headers keep the desk's pages out of caches, frames and other sites'
// Referer headers (a sign-in link's token is in its URL), and let them run
// only the desk's own script and style.
func (d *Desk) headers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		if !strings.HasPrefix(c.Request().URL.Path, "/desk/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// failures answers an error of ours (Postgres, Temporal, a template) with
// a page that says nothing of it; the error is logged.
func (d *Desk) failures(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code < http.StatusInternalServerError {
			return d.errorPage(c, he.Code, http.StatusText(he.Code), fmt.Sprint(he.Message))
		}
		d.Logger.Error("desk request failed", "method", c.Request().Method, "path", c.Path(), "error", err)
		return d.errorPage(c, http.StatusInternalServerError, "Something went wrong",
			"The credit desk could not answer. The error was logged; try again in a moment.")
	}
}

// home sends each role to the page where its work waits.
func (d *Desk) home(c echo.Context) error {
	u, ok := userOf(c)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/desk/sign-in")
	}
	switch u.Role {
	case credit.RoleSales:
		return c.Redirect(http.StatusSeeOther, "/desk/requests")
	case credit.RoleCredit, credit.RoleCreditManager:
		return c.Redirect(http.StatusSeeOther, "/desk/inbox")
	}
	return d.render(c, http.StatusOK, "home.html", "Credit desk", nil)
}

// view is what every page's layout shows; Data is the page's own.
type view struct {
	Title string
	User  *credit.User
	CSRF  string
	Nav   []navItem
	Path  string // for the menu's current page
	URI   string // the page with its query, for htmx to fetch again
	Data  any
}

type navItem struct{ Href, Label string }

// nav is the menu of a role.
func nav(u *credit.User) []navItem {
	if u == nil {
		return nil
	}
	switch u.Role {
	case credit.RoleSales:
		return []navItem{{"/desk/requests", "My requests"}, {"/desk/requests/new", "New pre-approval"}, {"/desk/escalations", "Escalations"},
			{"/desk/accounts", "My accounts"}, {"/desk/credit-check", "Credit check"}}
	case credit.RoleCredit, credit.RoleCreditManager:
		return []navItem{{"/desk/inbox", "Inbox"}, {"/desk/requests", "All requests"}, {"/desk/accounts", "Accounts"}, {"/desk/reports", "Reports"}}
	}
	return []navItem{{"/desk/requests", "Requests"}, {"/desk/accounts", "Accounts"}, {"/desk/reports", "Reports"},
		{"/desk/admin/users", "Users"}, {"/desk/admin/import", "Import"}, {"/desk/admin/outbox", "Outbox"}}
}

// render writes a page in the desk's layout.
func (d *Desk) render(c echo.Context, status int, page, title string, data any) error {
	v := view{Title: title, CSRF: csrfToken(c, d.Links), Path: c.Request().URL.Path, URI: c.Request().URL.RequestURI(), Data: data}
	if u, ok := userOf(c); ok {
		v.User, v.Nav = &u, nav(&u)
	}
	return d.renderFragment(c, status, page, "layout", v)
}

// renderFragment writes one template of a page alone: the part htmx
// swaps in.
func (d *Desk) renderFragment(c echo.Context, status int, page, name string, data any) error {
	var b bytes.Buffer
	if err := d.pages[page].ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	return c.HTMLBlob(status, b.Bytes())
}

// errorPage answers a refusal or a missing page as a page.
func (d *Desk) errorPage(c echo.Context, status int, title, detail string) error {
	return d.render(c, status, "error.html", title, struct {
		Status int
		Detail string
	}{status, detail})
}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"label":    func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		"contains": slices.Contains[[]string],
		"field":    newField,
		"overdue":  overdueText,
		"figure":   figure,
	}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/_*.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(files, "templates/*.html")
	for _, name := range names {
		name = strings.TrimPrefix(name, "templates/")
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(files, "templates/"+name))
	}
	return pages
}

// figure writes a report's ratio in format, or says that its divisor
// was zero (the API's null).
func figure(x *float64, format string) string {
	if x == nil {
		return "none"
	}
	return fmt.Sprintf(format, *x)
}

// fieldView is one labelled input of a form (templates/_fields.html).
type fieldView struct {
	Name, Label, Type, Hint, Autocomplete string
	Required                              bool
	Value, Error                          string
}

func newField(f form, name, label, typ, hint string, required bool, autocomplete string) fieldView {
	return fieldView{Name: name, Label: label, Type: typ, Hint: hint, Required: required, Autocomplete: autocomplete,
		Value: f.Values[name], Error: f.Errors[name]}
}
