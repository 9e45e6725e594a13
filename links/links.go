// Package links knows where the credit desk is (CREDITFLOW_BASE_URL) and
// signs the tokens its links and forms carry (HMAC-SHA256 with
// CREDITFLOW_LINK_SECRET): the addresses that emails give to people who
// must act, the one-time sign-in link, the action links that act once as
// their reader (actions.go), the desk's CSRF tokens. The worker
// writes the links into emails, the API's desk checks them, so both build
// them here.
package links

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
)

// Links builds and checks the desk's links with one base URL and key.
type Links struct {
	base   string
	secret []byte
}

// New returns the links of a desk at baseURL (no trailing slash needed),
// signed with secret.
func New(baseURL string, secret []byte) *Links {
	return &Links{base: strings.TrimRight(baseURL, "/"), secret: secret}
}

// SecretSource is where the key comes from when CREDITFLOW_LINK_SECRET is
// unset: the database (store.Store.LinkSecret), so that every process
// signs with the same key.
type SecretSource interface {
	LinkSecret(ctx context.Context) ([]byte, error)
}

// Load returns the links of the desk at baseURL, signed with the
// configured secret or, when it is empty, with the database's.
func Load(ctx context.Context, baseURL, configured string, db SecretSource) (*Links, error) {
	if configured != "" {
		return New(baseURL, []byte(configured)), nil
	}
	secret, err := db.LinkSecret(ctx)
	if err != nil {
		return nil, err
	}
	return New(baseURL, secret), nil
}

// Secure: the desk is served over https, so its cookies are Secure.
func (l *Links) Secure() bool { return strings.HasPrefix(l.base, "https://") }

// Desk is the desk's home page.
func (l *Links) Desk() string { return l.base + "/desk/" }

// Request is the page of a credit request, where an analyst decides it.
func (l *Links) Request(id string) string { return l.base + "/desk/requests/" + url.PathEscape(id) }

// Account is the page of an account: its invoices, timeline and
// complaints.
func (l *Links) Account(id string) string { return l.base + "/desk/accounts/" + url.PathEscape(id) }

// Escalation is the page of an escalation, where the rep acknowledges it.
func (l *Links) Escalation(id string) string {
	return l.base + "/desk/escalations/" + url.PathEscape(id)
}

// SignIn is the one-time sign-in link for the sign-in link id: following
// it opens a confirmation page, whose POST signs in and leads to next (a
// desk page; "" is the desk's home).
func (l *Links) SignIn(linkID, next string) string {
	q := url.Values{"token": {l.SignInToken(linkID)}}
	if next != "" {
		q.Set("next", next)
	}
	return l.base + SignInPath + "?" + q.Encode()
}

// SignInPath is where sign-in links lead.
const SignInPath = "/desk/sign-in/link"

// SignInToken is a link id with its signature: only who holds the key
// can make one, so the id alone (in the outbox, in Temporal's history,
// in SendGrid's custom_args) signs nobody in.
func (l *Links) SignInToken(linkID string) string {
	return linkID + "." + l.Sign("sign-in", linkID)
}

// SignInLinkID checks a sign-in token's signature and returns its link id.
func (l *Links) SignInLinkID(token string) (string, bool) {
	id, mac, ok := strings.Cut(token, ".")
	if !ok || id == "" || !l.Verify("sign-in", id, mac) {
		return "", false
	}
	return id, true
}

// Sign is the signature of value for one purpose; a signature made for
// one purpose (a CSRF token) never passes for another (a sign-in link).
func (l *Links) Sign(purpose, value string) string {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a signature in constant time.
func (l *Links) Verify(purpose, value, signature string) bool {
	return hmac.Equal([]byte(l.Sign(purpose, value)), []byte(signature))
}
