package api

import (
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"net/http"
	"os"
)

// bodyDigest carries the request's digest (requestDigest, then the body)
// from jsonBody to the Idempotency-Key check, so that the body is read
// once.
type bodyDigest struct{}

// requestDigest starts a request's digest: a key reused for another
// method or path is another request.
func requestDigest(req *http.Request) hash.Hash {
	h := sha256.New()
	h.Write([]byte(req.Method + " " + req.URL.Path + "\n"))
	return h
}

// errSpool is a body that could not be kept on this machine's disk: our
// outage, not the caller's mistake.
var errSpool = unavailable("the request could not be buffered here; retry shortly")

// spool copies a streamed body into an unnamed temporary file as it
// arrives, feeding digest on the way, and returns the file rewound. The
// file is unlinked at once: it goes when closed, or when the process dies.
func spool(body io.Reader, digest hash.Hash) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "creditflow-body-*")
	if err != nil {
		return nil, 0, errSpool
	}
	_ = os.Remove(f.Name())
	size, err := io.Copy(io.MultiWriter(f, digest), body)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) && isLocal(err) {
			return nil, 0, errSpool
		}
		return nil, 0, err
	}
	return f, size, nil
}

// isLocal tells a write to our own disk failing from the caller's body
// failing to arrive.
func isLocal(err error) bool {
	var pathErr *os.PathError
	return errors.As(err, &pathErr)
}
