package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"maps"
	"slices"
	"strings"
)

// KindCustomerReplied tells the account's rep that the customer answered
// one of our emails (SendGrid Inbound Parse).
const KindCustomerReplied = "customer_replied"

// customerKinds are the emails written to a customer's billing contact.
var customerKinds = map[string]bool{KindCourtesyNotice: true, KindInvoiceReminder: true, KindFinalNotice: true}

// IsCustomerKind reports whether emails of kind go to the customer: they
// carry a reply-to address, and a bounce of one is missing contact data.
func IsCustomerKind(kind string) bool { return customerKinds[kind] }

// CustomerKinds lists the kinds of email written to a customer.
func CustomerKinds() []string { return slices.Sorted(maps.Keys(customerKinds)) }

// ReplyAddresses gives each customer email a reply-to address of its own,
// reply+TOKEN@domain, where TOKEN names the email (a digest of its outbox
// key) and signs that name (HMAC-SHA256), so that a reply finds the email
// it answers and nobody can forge one for another customer's email. The
// token is lower-case base32 (mail servers may change the case of a local
// part) and 32 characters long, within the 64 a local part may have.
type ReplyAddresses struct {
	domain string
	key    []byte
}

const (
	replyPrefix = "reply+"
	refBytes    = 10 // 16 base32 characters each for the name and the signature
)

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewReplyAddresses signs tokens with a key derived from secret
// (CREDITFLOW_INBOUND_SECRET): the URL secret itself never appears in a
// message. Changing the secret makes earlier tokens fail to verify;
// replies to them are then matched by their sender's address.
func NewReplyAddresses(secret, domain string) *ReplyAddresses {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("creditflow reply-to tokens"))
	return &ReplyAddresses{domain: strings.ToLower(domain), key: mac.Sum(nil)}
}

// Ref names an outbox email by its key, as tokens and the outbox's
// reply_ref column do.
func Ref(emailKey string) string {
	sum := sha256.Sum256([]byte(emailKey))
	return lowerBase32.EncodeToString(sum[:refBytes])
}

func (r *ReplyAddresses) sign(ref string) string {
	mac := hmac.New(sha256.New, r.key)
	mac.Write([]byte(ref))
	return lowerBase32.EncodeToString(mac.Sum(nil)[:refBytes])
}

// Address is the reply-to address of the email under emailKey.
func (r *ReplyAddresses) Address(emailKey string) string {
	ref := Ref(emailKey)
	return replyPrefix + ref + r.sign(ref) + "@" + r.domain
}

// Verify finds a reply-to address of ours among addresses and returns the
// ref of the email it names, when its signature holds.
func (r *ReplyAddresses) Verify(addresses []string) (string, bool) {
	for _, a := range addresses {
		local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(a)), "@")
		token, tagged := strings.CutPrefix(local, replyPrefix)
		if !ok || !tagged || domain != r.domain || len(token) != 2*lowerBase32.EncodedLen(refBytes) {
			continue
		}
		ref, sig := token[:len(token)/2], token[len(token)/2:]
		if hmac.Equal([]byte(sig), []byte(r.sign(ref))) {
			return ref, true
		}
	}
	return "", false
}
