package desk

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/store"
)

// Emailed action links (links.ActionToken): an analyst's link to decide a
// request, a rep's link to acknowledge an escalation. The link names its
// user, so it works without a session, on a phone nobody signed in on.
// Following it only shows a confirmation page: mail scanners and link
// previews fetch links, and must never act. The page's button acts, once,
// through the API as the link's user, so the API's roles, approval limit
// and segregation of duties apply as to anything else that user does.

// actionLinkView is the link on the page it opens.
type actionLinkView struct {
	Token   string
	User    credit.User
	Expires time.Time
}

// deadActionLink is why a link does not act: the page says it, with its
// status.
type deadActionLink struct {
	status        int
	title, detail string
	// page is the object's own desk page, for a link already used.
	page string
}

func (e *deadActionLink) Error() string { return e.title }

// actionLinkOf checks the link's token for this action on the object of
// the address: signed by us, for this object, not expired, its user
// active, not used yet.
func (d *Desk) actionLinkOf(c echo.Context, action, token string) (links.ActionToken, credit.User, error) {
	ctx := c.Request().Context()
	object := c.Param("id")
	t, err := d.Links.VerifyAction(token, action, object, d.Now())
	switch {
	case errors.Is(err, links.ErrActionLinkExpired):
		return t, credit.User{}, &deadActionLink{status: http.StatusGone, title: "This link has expired",
			detail: "A link from an email works for 7 days. Open the credit desk and sign in to act."}
	case err != nil:
		return t, credit.User{}, &deadActionLink{status: http.StatusForbidden, title: "This link is not valid",
			detail: "The credit desk did not make this link, or it was changed on the way. Nothing was done. Open the credit desk and sign in to act."}
	}
	u, err := d.Store.UserByID(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.DisabledAt != nil) {
		return t, u, &deadActionLink{status: http.StatusForbidden, title: "This link does not work any more",
			detail: "The user it was sent to is no longer active in Creditflow. Nothing was done."}
	}
	if err != nil {
		return t, u, err
	}
	used, err := d.Store.ActionLinkUsed(ctx, t.ID)
	if err != nil {
		return t, u, err
	}
	if used {
		return t, u, &deadActionLink{status: http.StatusGone, title: "This link was already used",
			detail: "A link from an email works once, and this one has done what it was sent for. Nothing more was done.",
			page:   objectPage(action, object)}
	}
	return t, u, nil
}

func objectPage(action, object string) string {
	if action == links.ActionDecideRequest {
		return "/desk/requests/" + url.PathEscape(object)
	}
	return "/desk/escalations/" + url.PathEscape(object)
}

// refuseLink answers a link that does not act, or an error of ours.
func (d *Desk) refuseLink(c echo.Context, err error) error {
	var dead *deadActionLink
	if !errors.As(err, &dead) {
		return d.problemPage(c, err)
	}
	return d.render(c, dead.status, "action_link_used.html", dead.title, struct{ Detail, Page string }{dead.detail, dead.page})
}

// linkKey is the Idempotency-Key of what a link sends: its token's id and
// the form. Sent again after the API acted but before the link was marked
// used (a crash, a lost answer), the same form gets the API's first answer
// instead of acting twice; a corrected form, after the API refused one, is
// a new request.
func linkKey(t links.ActionToken, body any) string {
	b, _ := json.Marshal(body) // API bodies: cannot fail
	sum := sha256.Sum256(b)
	return "action-link/" + t.ID + "/" + base64.RawURLEncoding.EncodeToString(sum[:12])
}

// actByLink sends what the link's form asks to the API as the link's user
// and, once the API has acted, spends the link. A refusal of the API
// leaves the link as it was, for the corrected form.
func (d *Desk) actByLink(ctx context.Context, t links.ActionToken, u credit.User, path string, body any) error {
	if err := d.call(ctx, u, http.MethodPost, path, body, linkKey(t, body), nil); err != nil {
		return err
	}
	return d.Store.SpendActionLink(ctx, t.ID, u.ID, t.Action, t.Object)
}

// confirmRequestLink is where an analyst's link to decide a request leads:
// the request, its score, band and reasons, and the decision form.
func (d *Desk) confirmRequestLink(c echo.Context) error {
	token := c.QueryParam("token")
	t, u, err := d.actionLinkOf(c, links.ActionDecideRequest, token)
	if err != nil {
		return d.refuseLink(c, err)
	}
	return d.requestLinkPage(c, http.StatusOK, t, u, token, newForm())
}

func (d *Desk) requestLinkPage(c echo.Context, status int, t links.ActionToken, u credit.User, token string, f form) error {
	v, name, err := d.requestView(c.Request().Context(), u, t.Object, f)
	if err != nil {
		return d.problemPage(c, err)
	}
	v.FormAction = links.ActionPath(t.Action, t.Object)
	v.Link = &actionLinkView{Token: token, User: u, Expires: t.Expires}
	return d.render(c, status, "request.html", "Decide: "+name, v)
}

// decideByLink records the decision of the link's analyst.
func (d *Desk) decideByLink(c echo.Context) error {
	token := c.FormValue("token")
	t, u, err := d.actionLinkOf(c, links.ActionDecideRequest, token)
	if err != nil {
		return d.refuseLink(c, err)
	}
	f, body := decisionForm(c)
	err = d.actByLink(c.Request().Context(), t, u, "/api/v1/credit-requests/"+url.PathEscape(t.Object)+"/decision", body)
	var p *api.Problem
	switch {
	case errors.As(err, &p):
		return d.requestLinkPage(c, p.Status, t, u, token, decisionProblem(f, p))
	case err != nil:
		return err
	}
	// Shown here, not by a redirect: the page they would be sent to asks
	// a reader who is not signed in to sign in.
	v, name, err := d.requestView(c.Request().Context(), u, t.Object, newForm())
	if err != nil {
		return d.problemPage(c, err)
	}
	v.Decided, v.CanDecide = true, false
	return d.render(c, http.StatusOK, "request.html", "Credit request: "+name, v)
}

// confirmEscalationLink is where a rep's link to acknowledge an
// escalation leads: the escalation, with its note and pause.
func (d *Desk) confirmEscalationLink(c echo.Context) error {
	token := c.QueryParam("token")
	t, u, err := d.actionLinkOf(c, links.ActionAcknowledgeEscalation, token)
	if err != nil {
		return d.refuseLink(c, err)
	}
	return d.escalationLinkPage(c, http.StatusOK, t, u, token, newForm())
}

func (d *Desk) escalationLinkPage(c echo.Context, status int, t links.ActionToken, u credit.User, token string, f form) error {
	e, err := d.readEscalation(c.Request().Context(), t.Object)
	if err != nil {
		return d.problemPage(c, err)
	}
	v, err := d.escalationView(c, u, e, f)
	if err != nil {
		return d.problemPage(c, err)
	}
	v.FormAction = links.ActionPath(t.Action, t.Object)
	v.Link = &actionLinkView{Token: token, User: u, Expires: t.Expires}
	return d.render(c, status, "escalation_link.html", "Acknowledge: "+v.AccountName, v)
}

// acknowledgeByLink records the acknowledgement of the link's rep.
func (d *Desk) acknowledgeByLink(c echo.Context) error {
	token := c.FormValue("token")
	t, u, err := d.actionLinkOf(c, links.ActionAcknowledgeEscalation, token)
	if err != nil {
		return d.refuseLink(c, err)
	}
	f, body := acknowledgementForm(c)
	err = d.actByLink(c.Request().Context(), t, u, "/api/v1/escalations/"+url.PathEscape(t.Object)+"/acknowledge", body)
	var p *api.Problem
	switch {
	case errors.As(err, &p):
		return d.escalationLinkPage(c, p.Status, t, u, token, f.withProblem(p))
	case err != nil:
		return err
	}
	e, err := d.readEscalation(c.Request().Context(), t.Object)
	if err != nil {
		return d.problemPage(c, err)
	}
	v, err := d.escalationView(c, u, e, newForm())
	if err != nil {
		return d.problemPage(c, err)
	}
	v.Acknowledged, v.CanAcknowledge = true, false
	return d.render(c, http.StatusOK, "escalation_link.html", "Escalation: "+v.AccountName, v)
}
