package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// SentMail is one message the fake SendGrid received, as its v3 JSON.
type SentMail struct {
	Authorization    string
	Personalizations []struct {
		To []struct {
			Email string `json:"email"`
		} `json:"to"`
		Substitutions map[string]string `json:"substitutions"`
	} `json:"personalizations"`
	From struct {
		Email string `json:"email"`
	} `json:"from"`
	Subject string `json:"subject"`
	Content []struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"content"`
	Categories []string          `json:"categories"`
	CustomArgs map[string]string `json:"custom_args"`
	// ReplyTo is where the customer's answer goes (Inbound Parse).
	ReplyTo struct {
		Email string `json:"email"`
	} `json:"reply_to"`
	// AcceptedAt is when the fake accepted it (the benchmark times the
	// 09:00 batch by it).
	AcceptedAt time.Time `json:"-"`
}

// Event is what SendGrid's Event Webhook posts about this message: our
// custom_args come back as fields of the event, beside SendGrid's own.
func (m SentMail) Event(event, sgEventID string, at time.Time) map[string]any {
	ev := map[string]any{
		"email": m.To()[0], "timestamp": at.Unix(), "event": event, "sg_event_id": sgEventID,
		"sg_message_id": "msg." + sgEventID, "category": m.Categories,
	}
	switch event {
	case "bounce":
		ev["reason"], ev["status"], ev["type"] = "550 5.1.1 The email account that you tried to reach does not exist", "5.1.1", "bounce"
	case "dropped":
		ev["reason"] = "Bounced Address"
	}
	for k, v := range m.CustomArgs {
		ev[k] = v
	}
	return ev
}

// To lists the recipients.
func (m SentMail) To() []string {
	var out []string
	for _, p := range m.Personalizations {
		for _, to := range p.To {
			out = append(out, to.Email)
		}
	}
	return out
}

// Text is the text/plain body as its first recipient reads it.
func (m SentMail) Text() string {
	if len(m.Personalizations) == 0 {
		return m.body("text/plain", nil)
	}
	return m.body("text/plain", m.Personalizations[0].Substitutions)
}

// HTMLBody is the text/html body as its first recipient reads it.
func (m SentMail) HTMLBody() string {
	if len(m.Personalizations) == 0 {
		return m.body("text/html", nil)
	}
	return m.body("text/html", m.Personalizations[0].Substitutions)
}

// TextTo is the text/plain body as one recipient reads it, with their
// substitutions made, as SendGrid makes them; "" when they are not one.
func (m SentMail) TextTo(address string) string {
	for _, p := range m.Personalizations {
		for _, to := range p.To {
			if to.Email == address {
				return m.body("text/plain", p.Substitutions)
			}
		}
	}
	return ""
}

func (m SentMail) body(contentType string, substitutions map[string]string) string {
	for _, c := range m.Content {
		if c.Type == contentType {
			body := c.Value
			for k, v := range substitutions {
				body = strings.ReplaceAll(body, k, v)
			}
			return body
		}
	}
	return ""
}

// FakeSendGrid speaks SendGrid's POST /v3/mail/send and records what it
// accepts. FailNext and RejectAddressNext script error answers to exercise
// retries, Outage answers one status until Recover, Hold keeps requests
// waiting until released.
type FakeSendGrid struct {
	URL string

	mu       sync.Mutex
	accepted []SentMail
	failures []answer
	outage   int
	held     chan struct{} // non-nil: requests wait until it is closed
	waiting  int
	attempts int
}

type answer struct {
	status int
	body   string
}

// scriptedFailure names no field: for a 400, a bug of ours, not the
// recipient's address.
const scriptedFailure = `{"errors":[{"message":"scripted failure","field":null,"help":null}]}`

// invalidAddress is SendGrid's 400 for a recipient's address it refuses.
const invalidAddress = `{"errors":[{"message":"Does not contain a valid address.","field":"personalizations.0.to.0.email","help":"http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to"}]}`

// NewFakeSendGrid starts the fake for the test's duration.
func NewFakeSendGrid(t testing.TB) *FakeSendGrid {
	f, stop := StartFakeSendGrid()
	t.Cleanup(stop)
	return f
}

// StartFakeSendGrid starts the fake until stop, outside a test (the
// benchmark).
func StartFakeSendGrid() (f *FakeSendGrid, stop func()) {
	f = &FakeSendGrid{}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = srv.URL
	return f, srv.Close
}

func (f *FakeSendGrid) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v3/mail/send" {
		http.Error(w, `{"errors":[{"message":"not found"}]}`, http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var m SentMail
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, `{"errors":[{"message":"bad json"}]}`, http.StatusBadRequest)
		return
	}
	m.Authorization = r.Header.Get("Authorization")
	f.mu.Lock()
	if held := f.held; held != nil {
		f.waiting++
		f.mu.Unlock()
		select {
		case <-held:
		case <-r.Context().Done():
		}
		f.mu.Lock()
		f.waiting--
	}
	defer f.mu.Unlock()
	f.attempts++
	if r.Context().Err() != nil {
		// The sender gave up (its timeout) before the answer: this fake
		// drops the message, as SendGrid does a request it never finished
		// receiving. (SendGrid may also accept a message whose answer the
		// sender no longer waits for: then the retry sends it again.)
		return
	}
	if len(f.failures) > 0 {
		a := f.failures[0]
		f.failures = f.failures[1:]
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
		return
	}
	if f.outage != 0 {
		w.WriteHeader(f.outage)
		_, _ = w.Write([]byte(scriptedFailure))
		return
	}
	m.AcceptedAt = time.Now()
	f.accepted = append(f.accepted, m)
	w.WriteHeader(http.StatusAccepted)
}

// FailNext answers the next requests with these statuses, in order, with
// an error that names no field (for a 400: a bug of ours).
func (f *FakeSendGrid) FailNext(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range statuses {
		f.failures = append(f.failures, answer{s, scriptedFailure})
	}
}

// RejectAddressNext answers the next request with SendGrid's 400 for an
// invalid recipient address (personalizations.0.to.0.email).
func (f *FakeSendGrid) RejectAddressNext() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, answer{http.StatusBadRequest, invalidAddress})
}

// Outage answers every request with status (after any scripted ones)
// until Recover: a revoked key is 401 until someone fixes it.
func (f *FakeSendGrid) Outage(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outage = status
}

// Recover ends the Outage.
func (f *FakeSendGrid) Recover() { f.Outage(0) }

// Hold keeps every request waiting, unanswered, until release is called.
func (f *FakeSendGrid) Hold() (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	held := make(chan struct{})
	f.held = held
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.held = nil
			f.mu.Unlock()
			close(held)
		})
	}
}

// Waiting counts the requests Hold keeps waiting now.
func (f *FakeSendGrid) Waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.waiting
}

// Accepted returns the messages accepted so far.
func (f *FakeSendGrid) Accepted() []SentMail {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SentMail(nil), f.accepted...)
}

// Attempts counts every request, failed or not.
func (f *FakeSendGrid) Attempts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts
}

// OfKind returns the accepted messages of one kind.
func (f *FakeSendGrid) OfKind(kind string) []SentMail {
	var out []SentMail
	for _, m := range f.Accepted() {
		if m.CustomArgs["kind"] == kind {
			out = append(out, m)
		}
	}
	return out
}
