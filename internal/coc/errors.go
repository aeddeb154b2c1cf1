package coc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Sentinel kinds; an *APIError, a *ResponseError and a request not sent for a refused key
// unwrap to exactly one of them, so callers write errors.Is(err, coc.ErrNotBound) and use
// errors.As for the details. Each kind is what an answer means for the call it answers (CONTRACT.md, "What a client
// concludes"), never what its status alone suggests.
var (
	// ErrNotBound is COC's 404 COC.00040401 to a GET, PUT or DELETE of one app type, and only that.
	ErrNotBound = errors.New("not bound")
	// ErrAlreadyBound is COC's answer to a POST that another binding of its app type stands in
	// the way of: 409 COC.00040901, or 422 COC.00042201 when the POST's idempotency key made that
	// binding with other secrets. Either way the POST made nothing and is not this binding's.
	ErrAlreadyBound = errors.New("already bound")
	// ErrOtherAppBound is COC's answer to a PUT or DELETE that names another app than the one
	// bound (400 COC.00040002 to a PUT, 412 COC.00041201 to a DELETE): it changed nothing.
	ErrOtherAppBound = errors.New("another app is bound")
	ErrValidation    = errors.New("validation failed")
	ErrThrottled     = errors.New("throttled")
	ErrAuth          = errors.New("authentication failed")
	ErrServer        = errors.New("server error")
	// ErrNotServed is an answer that says the endpoint does not serve the COC mobile-app API, or
	// not this call: the gateway's APIG.0101, COC's COC.00040400, any other 404 or 409, a body
	// that is not COC's, a 2xx that is not JSON. Nothing follows from it about any binding.
	ErrNotServed = errors.New("the endpoint does not serve the COC mobile-app API")
	// ErrResponse is a JSON answer that is cut or contradicts the call it answers.
	ErrResponse = errors.New("malformed response")
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
	// Bound is the binding that stands in the way of an ErrAlreadyBound or ErrOtherAppBound, when
	// reading it back succeeded.
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

// errorKind is what an error answer in COC's or the gateway's shape means for call c. Only COC's
// own codes say anything about a binding; a status says what kind of refusal or fault it is.
func errorKind(c *call, status int, code string) error {
	switch {
	case status == http.StatusNotFound && code == CodeNotBound && c.appType != "" && c.method != http.MethodPost:
		return ErrNotBound
	case c.method == http.MethodPost && (status == http.StatusConflict && code == CodeAlreadyBound ||
		status == http.StatusUnprocessableEntity && code == CodeKeyReused):
		return ErrAlreadyBound
	case c.method == http.MethodPut && status == http.StatusBadRequest && code == CodeImmutableField,
		c.method == http.MethodDelete && status == http.StatusPreconditionFailed && code == CodeOtherAppBound:
		return ErrOtherAppBound
	case (status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge) && (code == CodeInvalidField || code == CodeImmutableField):
		return ErrValidation
	}
	return kindForStatus(status, code)
}

// kindForStatus is what an answer means whatever its body: a refusal, throttling, a server fault,
// or else that the endpoint does not serve the call. A missing backend (APIG.0103) and an
// unimplemented method are not faults that pass.
func kindForStatus(status int, code string) error {
	switch {
	case status == http.StatusTooManyRequests:
		return ErrThrottled
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrAuth
	case hwhttp.ServerFault(status, code):
		return ErrServer
	}
	return ErrNotServed
}

// ResponseError reports an answer that is not COC's (not JSON, or an error body that is neither
// COC's nor the gateway's) or that is cut or contradicts the call (a malformed JSON success). It
// never includes the body itself, which a proxy may have filled with an echo of the request.
type ResponseError struct {
	Operation  string
	StatusCode int
	RequestID  string
	Reason     string
	kind       error
}

func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d: unexpected response: %s", e.Operation, e.StatusCode, e.Reason)
	if e.RequestID != "" {
		msg += fmt.Sprintf(" (request id %s)", e.RequestID)
	}
	return msg
}

func (e *ResponseError) Unwrap() error {
	if e.kind != nil {
		return e.kind
	}
	if e.StatusCode >= 200 && e.StatusCode <= 299 {
		return ErrResponse
	}
	return kindForStatus(e.StatusCode, "")
}

// malformed reports whether err is a JSON success that is cut or contradicts its call: to a POST,
// the write may have taken effect.
func malformed(err error) bool {
	var respErr *ResponseError
	return errors.As(err, &respErr) && respErr.StatusCode >= 200 && respErr.StatusCode <= 299 && errors.Is(err, ErrResponse)
}

// CredentialsExpired reports whether COC's gateway refused a request because its temporary
// credentials had expired rather than for a bad signature: only the former is worth renewing
// and retrying. The rule is hwhttp.TokenExpired, applied to the decoded answer.
func CredentialsExpired(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && hwhttp.TokenExpired(apiErr.StatusCode, apiErr.Code, apiErr.Message)
}
