package desk

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// signInData fills the sign-in page's two forms.
type signInData struct {
	Next      string
	Email     form
	Token     form
	Sent      string // the address a link was asked for
	SignedOut bool
}

func (d *Desk) signInPage(c echo.Context) error {
	if _, ok := userOf(c); ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return d.render(c, http.StatusOK, "sign_in.html", "Sign in", signInData{
		Next: safeNext(c.QueryParam("next")), SignedOut: c.QueryParam("signed_out") != "",
	})
}

// signInWithToken: on a laptop, the API token `creditflow user add`
// printed. A wrong token is said so next to the field.
func (d *Desk) signInWithToken(c echo.Context) error {
	token := strings.TrimSpace(c.FormValue("token"))
	next := safeNext(c.FormValue("next"))
	u, err := d.Store.UserByToken(c.Request().Context(), token)
	if errors.Is(err, store.ErrNotFound) || token == "" {
		f := form{Errors: map[string]string{"token": "This is not the token of an active Creditflow user."}}
		return d.render(c, http.StatusUnauthorized, "sign_in.html", "Sign in", signInData{Next: next, Token: f})
	}
	if err != nil {
		return err
	}
	if err := d.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// emailSignInLink mails a one-time sign-in link to a user. The page says
// the same whether the address is a user's or not, and says it before
// looking the address up, so that the answer's time does not tell either.
func (d *Desk) emailSignInLink(c echo.Context) error {
	address := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	next := safeNext(c.FormValue("next"))
	if _, err := mail.ParseAddress(address); err != nil || len(address) > 254 {
		f := form{Values: map[string]string{"email": address}, Errors: map[string]string{"email": "Enter an email address, such as name@example.com."}}
		return d.render(c, http.StatusUnprocessableEntity, "sign_in.html", "Sign in", signInData{Next: next, Email: f})
	}
	// Taken before the goroutine: Echo reuses c once the handler returns.
	// The request's end does not cancel the sending; a minute bounds it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), time.Minute)
	go func() {
		defer cancel()
		if err := d.sendSignInLink(ctx, address, next); err != nil {
			// Logged, not shown: the page must not tell who is a user.
			d.Logger.Warn("sign-in link not sent", "error", err)
		}
	}()
	return d.render(c, http.StatusOK, "sign_in.html", "Sign in", signInData{Next: next, Sent: address})
}

func (d *Desk) sendSignInLink(ctx context.Context, address, next string) error {
	u, err := d.Store.UserByEmail(ctx, address)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.DisabledAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	if next == "/desk/" {
		next = "" // home, as without
	}
	linkID := store.NewID("sil")
	if err := d.Store.CreateSignInLink(ctx, linkID, u.ID, SignInLinkLasts, maxLiveSignInLinks); err != nil {
		return err
	}
	_, err = d.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.SignInWorkflowID(linkID),
		// Someone waits at the sign-in page for it: the interactive lane.
		TaskQueue:                workflows.InteractiveTaskQueue(d.TaskQueue),
		WorkflowExecutionTimeout: SignInLinkLasts,
	}, workflows.SignInEmailWorkflow, workflows.SignInEmailInput{LinkID: linkID, Email: u.Email, Name: u.Name, Next: next, ValidFor: SignInLinkLasts})
	return err
}

// linkData fills the page a sign-in link opens.
type linkData struct {
	Token string
	Email string
	Next  string
}

// confirmSignInLink is where a sign-in link leads. It only reads: mail
// scanners and link previews fetch links, and must not spend them. The
// person signs in with the page's button.
func (d *Desk) confirmSignInLink(c echo.Context) error {
	token := c.QueryParam("token")
	u, err := d.linkUser(c.Request().Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		return d.deadLink(c)
	}
	if err != nil {
		return err
	}
	return d.render(c, http.StatusOK, "sign_in_link.html", "Sign in", linkData{Token: token, Email: u.Email, Next: safeNext(c.QueryParam("next"))})
}

// signInWithLink spends the link and signs its user in.
func (d *Desk) signInWithLink(c echo.Context) error {
	linkID, ok := d.Links.SignInLinkID(c.FormValue("token"))
	if !ok {
		return d.deadLink(c)
	}
	u, err := d.Store.UseSignInLink(c.Request().Context(), linkID)
	if errors.Is(err, store.ErrNotFound) {
		return d.deadLink(c)
	}
	if err != nil {
		return err
	}
	if err := d.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(c.FormValue("next")))
}

// linkUser is whom a live, correctly signed link would sign in.
func (d *Desk) linkUser(ctx context.Context, token string) (credit.User, error) {
	linkID, ok := d.Links.SignInLinkID(token)
	if !ok {
		return credit.User{}, store.ErrNotFound
	}
	return d.Store.SignInLinkUser(ctx, linkID)
}

func (d *Desk) deadLink(c echo.Context) error {
	return d.errorPage(c, http.StatusGone, "This sign-in link does not work any more",
		"A sign-in link works once, within 15 minutes of being sent. Ask for a new one on the sign-in page.")
}

// safeNext keeps a return address inside the desk: after sign-in nobody
// is sent to another site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(next, "/desk/") || strings.ContainsAny(next, "\\") {
		return "/desk/"
	}
	return u.RequestURI()
}
