package desk

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/store"
)

// Cookies. A session cookie names a session row by its hash; the visitor
// cookie, set before sign-in, only keys the sign-in forms' CSRF tokens.
// Both are HttpOnly and SameSite=Lax (a link from an email must arrive
// signed in; a form posted from another site never carries them), and
// Secure when the desk is on https. The API never reads cookies, so they
// cannot make another site's request act on the API.
const (
	sessionCookie = "creditflow_desk"
	visitorCookie = "creditflow_desk_visitor"
	csrfField     = "csrf"
	// CSRFHeader is how htmx sends the token (hx-headers on the body).
	CSRFHeader = "X-CSRF-Token"
)

const (
	userKey    = "desk.user"
	sessionKey = "desk.session"
	uploadKey  = "desk.upload"
)

// session finds the signed-in user from the session cookie. A visitor
// without one gets a visitor cookie, which the sign-in forms' CSRF
// tokens are made from.
func (d *Desk) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/desk/static/") {
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			u, err := d.Store.SessionUser(c.Request().Context(), store.HashToken(ck.Value))
			switch {
			case err == nil:
				c.Set(userKey, u)
				c.Set(sessionKey, "session:"+ck.Value)
				return next(c)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			d.clearCookie(c, sessionCookie) // expired or signed out elsewhere
		}
		if ck, err := c.Cookie(visitorCookie); err == nil && ck.Value != "" {
			c.Set(sessionKey, "visitor:"+ck.Value)
		} else if c.Request().Method == http.MethodGet {
			id := randomID()
			d.setCookie(c, visitorCookie, id, 0)
			c.Set(sessionKey, "visitor:"+id)
		}
		return next(c)
	}
}

// requireUser sends who is not signed in to the sign-in page, and back
// to the page they asked for afterwards.
func (d *Desk) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := userOf(c); ok {
			return next(c)
		}
		if c.Request().Method != http.MethodGet {
			return d.errorPage(c, http.StatusUnauthorized, "Signed out",
				"Your session has ended. Sign in again, then send the form once more.")
		}
		return c.Redirect(http.StatusSeeOther, "/desk/sign-in?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
}

// checkCSRF refuses a POST whose token does not belong to the caller's
// session (or, before sign-in, to their visitor cookie): a form that
// another site made a browser send carries no such token.
func (d *Desk) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead {
			return next(c)
		}
		sent := c.Request().Header.Get(CSRFHeader)
		if sent == "" && isUpload(c.Request()) {
			sent = firstField(c)
		} else if sent == "" {
			sent = c.FormValue(csrfField)
		}
		key, _ := c.Get(sessionKey).(string)
		if key == "" || sent == "" || !d.Links.Verify("csrf", key, sent) {
			return d.errorPage(c, http.StatusForbidden, "Form refused",
				"This form did not come from your credit desk page, or the page is too old. Reload the page and send it again.")
		}
		return next(c)
	}
}

// isUpload: a multipart form, which carries a file.
func isUpload(r *http.Request) bool {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return mediaType == echo.MIMEMultipartForm
}

// firstField reads an upload's CSRF token without reading its file: the
// token is the form's first field (browsers send fields in the order of
// the page), and the rest of the form waits, unread, for the handler
// (uploadOf). FormValue would read the whole file first, into memory or
// a temporary file, for anyone who posts one.
func firstField(c echo.Context) string {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return ""
	}
	c.Set(uploadKey, mr)
	part, err := mr.NextPart()
	if err != nil || part.FormName() != csrfField {
		return ""
	}
	token, _ := io.ReadAll(io.LimitReader(part, 512))
	return string(token)
}

// uploadOf is the rest of an upload's form, after its CSRF token.
func uploadOf(c echo.Context) (*multipart.Reader, bool) {
	mr, ok := c.Get(uploadKey).(*multipart.Reader)
	return mr, ok
}

// csrfToken is the token of the caller's session or visitor cookie.
func csrfToken(c echo.Context, l *links.Links) string {
	key, _ := c.Get(sessionKey).(string)
	if key == "" {
		return ""
	}
	return l.Sign("csrf", key)
}

// startSession signs a user in: a new session id every time, so that an
// id somebody planted before sign-in is worth nothing after it.
func (d *Desk) startSession(c echo.Context, u credit.User) error {
	id := randomID()
	if err := d.Store.CreateSession(c.Request().Context(), store.HashToken(id), u.ID, SessionLasts); err != nil {
		return err
	}
	d.setCookie(c, sessionCookie, id, int(SessionLasts.Seconds()))
	return nil
}

func (d *Desk) signOut(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := d.Store.EndSession(c.Request().Context(), store.HashToken(ck.Value)); err != nil {
			return err
		}
	}
	d.clearCookie(c, sessionCookie)
	return c.Redirect(http.StatusSeeOther, "/desk/sign-in?signed_out=1")
}

func (d *Desk) setCookie(c echo.Context, name, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/desk/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: d.Links.Secure()})
}

func (d *Desk) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/desk/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: d.Links.Secure()})
}

// userOf is the signed-in user.
func userOf(c echo.Context) (credit.User, bool) {
	u, ok := c.Get(userKey).(credit.User)
	return u, ok
}

// randomID is 256 bits for a cookie.
func randomID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
