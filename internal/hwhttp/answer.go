package hwhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// DefaultMaxAnswerBytes bounds what is read of an answer's body when a client sets no limit: the
// answers of COC, IAM and the metadata service are a few kilobytes.
const DefaultMaxAnswerBytes = 1 << 20

// Answer is one attempt's HTTP answer as every client of this project reads it: once, at the
// bottom of the client's transport (see NewRetryingClient), up to the client's one limit, and
// decoded there into what the decisions above it are made on. The retry rule, the key gate and
// the service's decoder all read this Answer; none reads the body again.
type Answer struct {
	StatusCode int
	Header     http.Header
	// Body is the body as read: all of it, unless ReadErr or TooLarge says otherwise.
	Body []byte
	// ReadErr is what interrupted reading the body: a broken connection, a call given up on.
	ReadErr error
	// Limit is the client's limit on the body, and TooLarge says that the body exceeds it.
	Limit    int64
	TooLarge bool
	// Code, Message and RequestID are what an answer outside 2xx says in the API gateway's
	// shape ({"error_code", "error_msg", "request_id"}), which COC's errors share; empty for any
	// other body. A success is left to the service's decoder.
	Code, Message, RequestID string
}

// gatewayError is the body of the API gateway's own error answers.
type gatewayError struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

// ServerFault is the rule of which answers are server faults that may pass: a 5xx, but not a 501
// (the method is not implemented) nor the gateway's APIG.0103 (it has no backend for the API),
// which every attempt meets alike. The retry rules and COC's meaning of an answer both follow it.
func ServerFault(status int, code string) bool {
	return status >= 500 && status != http.StatusNotImplemented && code != CodeNoBackend
}

// ServerFault reports whether the answer is a server fault that may pass (see ServerFault).
func (a *Answer) ServerFault() bool { return ServerFault(a.StatusCode, a.Code) }

// TokenExpired reports whether the answer refuses a temporary credential past its expiry (see
// TokenExpired).
func (a *Answer) TokenExpired() bool { return TokenExpired(a.StatusCode, a.Code, a.Message) }

// answerBody is the body of a response whose answer has been read: the bytes read, and the
// Answer made of them.
type answerBody struct {
	*bytes.Reader
	answer *Answer
}

func (answerBody) Close() error { return nil }

// ReadAnswer reads resp's body, up to limit bytes, closes it and decodes it into an Answer, which
// it leaves in resp (whose Body then reads the bytes read) for AnswerOf. A response read before
// keeps its Answer.
func ReadAnswer(resp *http.Response, limit int64) *Answer {
	if a := AnswerOf(resp); a != nil {
		return a
	}
	a := &Answer{StatusCode: resp.StatusCode, Header: resp.Header, Limit: limit}
	if resp.Body != nil {
		a.Body, a.ReadErr = io.ReadAll(io.LimitReader(resp.Body, limit+1))
		_ = resp.Body.Close()
	}
	if int64(len(a.Body)) > limit {
		a.TooLarge = true
	}
	if (a.StatusCode < 200 || a.StatusCode > 299) && a.ReadErr == nil && !a.TooLarge {
		var body gatewayError
		if json.Unmarshal(a.Body, &body) == nil {
			a.Code, a.Message, a.RequestID = body.ErrorCode, body.ErrorMsg, body.RequestID
		}
	}
	resp.Body = answerBody{Reader: bytes.NewReader(a.Body), answer: a}
	return a
}

// AnswerOf returns the Answer ReadAnswer left in resp, or nil.
func AnswerOf(resp *http.Response) *Answer {
	if resp == nil {
		return nil
	}
	if b, ok := resp.Body.(answerBody); ok {
		return b.answer
	}
	return nil
}

// answerReading is the bottom of every client's transport: it reads each answer once
// (ReadAnswer), and notes whether a request that got no answer had been written in full.
type answerReading struct {
	next  http.RoundTripper
	limit int64
}

func (t answerReading) RoundTrip(req *http.Request) (*http.Response, error) {
	var written atomic.Bool
	ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { written.Store(info.Err == nil) },
	})
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	switch {
	case err != nil && written.Load():
		// Only an error after the request was written is wrapped: http.Client recognises some of
		// those before (a TLS handshake that met plain HTTP) by their type.
		return nil, &unansweredError{err: err}
	case err != nil:
		return nil, err
	}
	ReadAnswer(resp, t.limit)
	return resp, nil
}

// attemptTimeout is the top of a client's transport: one attempt's time limit, which covers
// obtaining its credentials, sending it and reading its answer. It is applied here, rather than
// by http.Client, because http.Client would wrap the answer's body to apply it while the body is
// read; the answer has been read by the time it comes back up here.
type attemptTimeout struct {
	next    http.RoundTripper
	timeout time.Duration
}

func (t attemptTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	defer cancel()
	return t.next.RoundTrip(req.WithContext(ctx))
}

// unansweredError is a request that was written in full and then met no answer: the connection
// broke, the attempt timed out, or the call was given up on.
type unansweredError struct{ err error }

func (e *unansweredError) Error() string { return e.err.Error() }
func (e *unansweredError) Unwrap() error { return e.err }

// WrittenUnanswered reports whether err is a request that was written in full and then met no
// answer: the server may have acted on it.
func WrittenUnanswered(err error) bool {
	var u *unansweredError
	return errors.As(err, &u)
}
