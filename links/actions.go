package links

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
)

// Actions an emailed link may ask its reader to take.
const (
	// ActionDecideRequest: a credit request waiting for review, decided
	// by an analyst or a credit manager.
	ActionDecideRequest = "decide_request"
	// ActionAcknowledgeEscalation: an escalation, acknowledged by its rep.
	ActionAcknowledgeEscalation = "acknowledge_escalation"
)

// ActionLinkLasts is how long an emailed action link works: a week, time
// enough for a reminder cadence, short enough that an old email forwarded
// or leaked acts for nobody.
const ActionLinkLasts = 7 * 24 * time.Hour

// ActionToken is what an action link names: who acts, on what, and until
// when. Its ID is the one the desk records once the link is used, so it
// works once.
type ActionToken struct {
	ID      string    `json:"i"`
	UserID  string    `json:"u"`
	Action  string    `json:"a"`
	Object  string    `json:"o"`
	Expires time.Time `json:"-"`
}

// Why an action token is refused.
var (
	ErrActionLinkForged  = errors.New("the link is not one the credit desk made")
	ErrActionLinkExpired = errors.New("the link has expired")
)

// ActionTokenID names the token of one email for one of its recipients:
// the same email (its outbox key) for the same user always gets the same
// id, so that an email rendered again on a retried attempt carries a link
// that is spent by the same use.
func ActionTokenID(emailKey, userID string) string {
	sum := sha256.Sum256([]byte(emailKey + "\x00" + userID))
	return "alk_" + base64.RawURLEncoding.EncodeToString(sum[:18])
}

// actionPayload is the token's signed part; Unix seconds keep it short.
type actionPayload struct {
	ActionToken
	Exp int64 `json:"e"`
}

// ActionTokenString is t signed: its fields, then their signature.
func (l *Links) ActionTokenString(t ActionToken) string {
	b, _ := json.Marshal(actionPayload{ActionToken: t, Exp: t.Expires.Unix()}) // plain strings and a number: cannot fail
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + l.Sign("action", payload)
}

// VerifyAction checks a token's signature, that it names this action on
// this object (a token for one escalation never acknowledges another),
// and that it has not expired at now. It does not know whether the token
// was used: the desk's store does.
func (l *Links) VerifyAction(token, action, object string, now time.Time) (ActionToken, error) {
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || payload == "" || !l.Verify("action", payload, mac) {
		return ActionToken{}, ErrActionLinkForged
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ActionToken{}, ErrActionLinkForged
	}
	var p actionPayload
	if err := json.Unmarshal(b, &p); err != nil || p.ID == "" || p.UserID == "" {
		return ActionToken{}, ErrActionLinkForged
	}
	if p.Action != action || p.Object != object {
		return ActionToken{}, ErrActionLinkForged
	}
	t := p.ActionToken
	t.Expires = time.Unix(p.Exp, 0).UTC()
	if !now.Before(t.Expires) {
		return t, ErrActionLinkExpired
	}
	return t, nil
}

// ActionPath is where the action link of t leads: the object's page in
// the desk, followed by /link.
func ActionPath(action, object string) string {
	switch action {
	case ActionDecideRequest:
		return "/desk/requests/" + url.PathEscape(object) + "/link"
	case ActionAcknowledgeEscalation:
		return "/desk/escalations/" + url.PathEscape(object) + "/link"
	}
	return ""
}

// Action is the emailed link that lets t's user take t's action on t's
// object: it opens a confirmation page, whose button acts.
func (l *Links) Action(t ActionToken) string {
	return l.base + ActionPath(t.Action, t.Object) + "?" + url.Values{"token": {l.ActionTokenString(t)}}.Encode()
}
