package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// NewID returns a random id with a prefix that says what it names
// ("cr_…" a credit request, "acc_…" an account), so an id pasted into a
// ticket is recognisable.
func NewID(prefix string) string { return prefix + "_" + strings.ToLower(rand.Text()) }

// NewToken returns a fresh API bearer token.
func NewToken() string { return "cft_" + rand.Text() + rand.Text() }

// HashToken is how tokens are stored and looked up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Cursor is a page position over rows ordered by (created_at, id).
type Cursor struct {
	At time.Time
	ID string
}

// Encode makes the opaque next_cursor string.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

// DecodeCursor reads a next_cursor string; "" is the first page.
func DecodeCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("malformed cursor")
	}
	at, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return nil, fmt.Errorf("malformed cursor")
	}
	return &Cursor{At: t, ID: id}, nil
}
