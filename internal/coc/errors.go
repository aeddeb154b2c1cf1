package coc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Sentinel kinds; an *APIError unwraps to exactly one of them, so callers write
// errors.Is(err, coc.ErrNotFound) and use errors.As for the details.
var (
	ErrNotFound   = errors.New("not found")
	ErrConflict   = errors.New("conflict")
	ErrValidation = errors.New("validation failed")
	ErrThrottled  = errors.New("throttled")
	ErrAuth       = errors.New("authentication failed")
	ErrServer     = errors.New("server error")
	ErrResponse   = errors.New("malformed response")
)

// APIError is an error answer from COC (or from the gateway in front of it). It carries what
// COC said and never a secret: the client scrubs the values it sent before building one.
type APIError struct {
	kind       error
	Operation  string // for example "POST /v1/mobile-apps/wecom"
	StatusCode int
	Code       string
	Message    string
	RequestID  string
	Details    []FieldError
	// Bound is set on a create conflict: the binding that already exists.
	Bound *Binding
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: HTTP %d", e.Operation, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, d := range e.Details {
		fmt.Fprintf(&b, "; %s: %s", d.Field, d.Reason)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.kind }

// kindForStatus maps a status code to the sentinel it unwraps to.
func kindForStatus(status int, code string) error {
	switch {
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusTooManyRequests:
		return ErrThrottled
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrAuth
	case status >= 500:
		return ErrServer
	case status == http.StatusBadRequest || code == CodeInvalidField || code == CodeImmutableField:
		return ErrValidation
	default:
		return ErrResponse
	}
}

// ResponseError reports a response that is not what the contract promises (wrong content type,
// truncated or oversized body, missing envelope). It never includes the body itself, which a proxy
// may have filled with an echo of the request.
type ResponseError struct {
	Operation  string
	StatusCode int
	RequestID  string
	Reason     string
}

func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d: unexpected response: %s", e.Operation, e.StatusCode, e.Reason)
	if e.RequestID != "" {
		msg += fmt.Sprintf(" (request id %s)", e.RequestID)
	}
	return msg
}

func (e *ResponseError) Unwrap() error {
	if e.StatusCode >= 500 {
		return ErrServer
	}
	return ErrResponse
}

// scrubber replaces known secret values, in every spelling an error may carry them, with a
// placeholder.
type scrubber []string

const redacted = "***"

func newScrubber(values ...string) scrubber {
	var s scrubber
	for _, v := range values {
		// Very short values would turn ordinary words into "***" and protect nothing.
		if len(v) < 4 {
			continue
		}
		for _, form := range Spellings(v) {
			if !slices.Contains(s, form) {
				s = append(s, form)
			}
		}
	}
	return s
}

// Spellings returns the ways a value may be written in an error or a log: as it is, JSON-escaped
// (with and without HTML escaping, as servers differ) and Go-quoted (as %q renders it), each
// without the surrounding quotes. Duplicates are possible.
func Spellings(v string) []string {
	forms := []string{v, strings.Trim(strconv.Quote(v), `"`)}
	for _, escapeHTML := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		_ = enc.Encode(v)
		forms = append(forms, strings.Trim(strings.TrimSpace(b.String()), `"`))
	}
	return forms
}

// Scrub replaces every secret in text, in each of its Spellings, with ***. Values shorter than 4
// characters are left alone: they would turn ordinary words into *** and protect nothing.
func Scrub(text string, secrets ...string) string { return newScrubber(secrets...).scrub(text) }

func (s scrubber) scrub(text string) string {
	for _, v := range s {
		text = strings.ReplaceAll(text, v, redacted)
	}
	return text
}

func (s scrubber) apiError(e *APIError) *APIError {
	if len(s) == 0 {
		return e
	}
	e.Code = s.scrub(e.Code)
	e.Message = s.scrub(e.Message)
	for i := range e.Details {
		e.Details[i].Reason = s.scrub(e.Details[i].Reason)
		e.Details[i].Field = s.scrub(e.Details[i].Field)
	}
	return e
}
