package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// SentMail is one message the fake SendGrid received, as its v3 JSON.
type SentMail struct {
	Authorization    string
	Personalizations []struct {
		To []struct {
			Email string `json:"email"`
		} `json:"to"`
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

// Text is the text/plain body.
func (m SentMail) Text() string {
	for _, c := range m.Content {
		if c.Type == "text/plain" {
			return c.Value
		}
	}
	return ""
}

// FakeSendGrid speaks SendGrid's POST /v3/mail/send and records what it
// accepts. FailNext scripts error answers to exercise retries.
type FakeSendGrid struct {
	URL string

	mu       sync.Mutex
	accepted []SentMail
	failures []int
	attempts int
}

// NewFakeSendGrid starts the fake for the test's duration.
func NewFakeSendGrid(t testing.TB) *FakeSendGrid {
	f := &FakeSendGrid{}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
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
	defer f.mu.Unlock()
	f.attempts++
	if len(f.failures) > 0 {
		status := f.failures[0]
		f.failures = f.failures[1:]
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"errors":[{"message":"scripted failure"}]}`))
		return
	}
	f.accepted = append(f.accepted, m)
	w.WriteHeader(http.StatusAccepted)
}

// FailNext answers the next requests with these statuses, in order.
func (f *FakeSendGrid) FailNext(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, statuses...)
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
