package coc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// call is one logical request, and what its answer must say to be COC's answer to it.
type call struct {
	method string
	path   string
	query  url.Values
	// appType is the app type of a call on one binding; empty for the list.
	appType platforms.AppType
	// sent is the body of a POST or PUT, whose answer must describe the binding sent.
	sent *BindingRequest
	// listFilter is the app type a list asked for; empty for all.
	listFilter platforms.AppType
	// secrets are scrubbed from everything the answer repeats.
	secrets []string
	// idempotencyKey is a POST's key; replayed says that COC answered with what that key's earlier
	// create made.
	idempotencyKey string
	replayed       bool
}

func (c *call) operation() string { return c.method + " " + c.path }

// answer is one HTTP answer being decoded for c; every string taken from it is scrubbed.
type answer struct {
	c         *call
	ans       *hwhttp.Answer
	scrub     hwhttp.Scrubber
	requestID string
}

func (a *answer) fail(kind error, reason string) error {
	return &ResponseError{Operation: a.c.operation(), StatusCode: a.ans.StatusCode, RequestID: a.requestID, Reason: a.scrub.Scrub(reason), kind: kind}
}

// decode decodes the answer to c, which the client read once (hwhttp.Answer), into out (nil for
// a DELETE) and concludes from it only what it means: see CONTRACT.md, "What a client concludes".
func (c *Client) decode(cl *call, ans *hwhttp.Answer, scrub hwhttp.Scrubber, out any) error {
	a := &answer{c: cl, ans: ans, scrub: scrub, requestID: scrub.Scrub(ans.Header.Get(hwhttp.HeaderRequestID))}
	switch {
	case ans.ReadErr != nil:
		return a.fail(nil, "reading the body failed: "+ans.ReadErr.Error())
	case ans.TooLarge:
		return a.fail(nil, fmt.Sprintf("the body exceeds %d bytes", ans.Limit))
	case ans.StatusCode < 200 || ans.StatusCode > 299:
		return a.errorAnswer()
	case cl.method == http.MethodDelete && ans.StatusCode == http.StatusNoContent:
		return nil
	case !hwhttp.IsJSON(ans.Header):
		// A login page or a captive portal: the call did nothing through COC.
		return a.fail(ErrNotServed, fmt.Sprintf("a success status with %s (%d bytes) is not COC's answer", hwhttp.ContentType(ans.Header), len(ans.Body)))
	}
	if err := a.envelope(ans.Body, out); err != nil {
		return a.fail(ErrResponse, err.Error())
	}
	return nil
}

// errorAnswer reads an error answer: COC's or the gateway's shape, or else something in the way.
// The error is built whole, of scrubbed values.
func (a *answer) errorAnswer() error {
	var body ErrorBody
	if !hwhttp.IsJSON(a.ans.Header) || json.Unmarshal(a.ans.Body, &body) != nil || body.ErrorCode == "" {
		return a.fail(kindForStatus(a.ans.StatusCode, ""),
			fmt.Sprintf("the error body is not a COC error (%s, %d bytes)", hwhttp.ContentType(a.ans.Header), len(a.ans.Body)))
	}
	requestID := a.requestID
	if requestID == "" {
		requestID = a.scrub.Scrub(body.RequestID) // the gateway's errors carry it in the body
	}
	var details []FieldError
	for _, d := range body.Details {
		details = append(details, FieldError{Field: a.scrub.Scrub(d.Field), Reason: a.scrub.Scrub(d.Reason)})
	}
	return &APIError{
		kind: errorKind(a.c, a.ans.StatusCode, body.ErrorCode), Operation: a.c.operation(), StatusCode: a.ans.StatusCode,
		Code: a.scrub.Scrub(body.ErrorCode), Message: a.scrub.Scrub(body.ErrorMsg), RequestID: requestID, Details: details,
	}
}

// envelope unwraps COC's success envelope into out and checks out against the call.
func (a *answer) envelope(data []byte, out any) error {
	var env Envelope[json.RawMessage]
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	switch {
	case env.ErrorCode == "":
		return fmt.Errorf("the envelope has no error_code (COC's success is %s)", CodeSuccess)
	case env.ErrorCode != CodeSuccess:
		return fmt.Errorf("success status with error code %s: %s", env.ErrorCode, env.ErrorMsg)
	case out == nil:
		return nil
	case env.Data == nil || bytes.Equal(*env.Data, []byte("null")):
		return fmt.Errorf("the envelope has no data")
	}
	if err := json.Unmarshal(*env.Data, out); err != nil {
		return fmt.Errorf("invalid data: %w", err)
	}
	switch v := out.(type) {
	case *Binding:
		return a.c.checkBinding("data", *v)
	case *BindingList:
		return a.c.checkPage(v)
	}
	return nil
}

// checkBinding checks that b is what COC answers to c: a binding of the app type asked for, with
// every field the contract promises, and on a POST or PUT the identifier and fields that were
// sent. where names b in the answer, for the error.
func (c *call) checkBinding(where string, b Binding) error {
	if c.appType != "" && b.AppType != c.appType {
		return fmt.Errorf("%s.app_type is %q, not the %q asked for", where, b.AppType, c.appType)
	}
	p, err := platforms.For(b.AppType)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	for _, name := range p.NonSecretNames() {
		got, ok := b.Fields[name]
		switch {
		case !ok || got == "":
			return fmt.Errorf("%s.%s is missing", where, name)
		case c.sent != nil && got != c.sent.Fields[name]:
			return fmt.Errorf("%s.%s is %q, not the %q sent", where, name, got, c.sent.Fields[name])
		}
	}
	if b.Status == "" {
		return fmt.Errorf("%s.status is missing", where)
	}
	for i, t := range []time.Time{b.CreatedAt, b.UpdatedAt, b.KeyUpdatedAt} {
		if t.IsZero() {
			return fmt.Errorf("%s.%s is missing", where, bindingTimestamps[i])
		}
	}
	return nil
}

// checkPage checks one page of a list: a tenant binds at most one app per app type, so a total
// beyond that, an item of another type than the filter's or an app type twice is not COC's.
func (c *call) checkPage(page *BindingList) error {
	most := len(platforms.All())
	if c.listFilter != "" {
		most = 1
	}
	if page.Total < 0 || page.Total > most {
		return fmt.Errorf("data.total is %d, but a tenant binds at most %d app(s) here", page.Total, most)
	}
	seen := map[platforms.AppType]bool{}
	for i, b := range page.List {
		where := fmt.Sprintf("data.list[%d]", i)
		if c.listFilter != "" && b.AppType != c.listFilter {
			return fmt.Errorf("%s.app_type is %q, but the list asked for %q only", where, b.AppType, c.listFilter)
		}
		if seen[b.AppType] {
			return fmt.Errorf("%s is a second %s binding, but a tenant binds one per app type", where, b.AppType)
		}
		seen[b.AppType] = true
		if err := c.checkBinding(where, b); err != nil {
			return err
		}
	}
	return nil
}
