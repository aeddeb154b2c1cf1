package appcheck

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The token call of each platform is in its description (internal/platforms); this file judges
// its answers, the same way for every platform.

// outcome is what an answer says about the credentials.
type outcome int

const (
	accepted outcome = iota
	rejected
	// undecided answers say nothing about the credentials: the platform is busy, or answered
	// what the provider does not understand.
	undecided
)

// verdict is one answer, judged.
type verdict struct {
	outcome
	code, message, requestID string
	// token is the access token of an accepted answer.
	token string
	// reason explains an undecided answer.
	reason string
}

// judge reads an answer to tc. An answer counts as a rejection only when the platform names an
// error code that is not about being busy, with HTTP 200 or a 4xx other than 429: proxies and
// gateways answer the rest.
func judge(tc platforms.TokenCall, status int, header http.Header, body []byte) verdict {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return verdict{outcome: undecided, reason: "the answer is not the platform's JSON" + describeStatus(status)}
	}
	v := verdict{token: text(members[tc.Token])}
	v.code, v.message, v.requestID = errorWords(tc, members, header)
	refused := v.code != "" && v.code != tc.SuccessCode
	switch {
	case status == http.StatusOK && !refused && v.token != "":
		v.outcome = accepted
	case refused && slices.Contains(tc.Busy, v.code):
		v.outcome, v.reason = undecided, "the platform is busy: "+v.describe()+describeStatus(status)
	case refused && (status == http.StatusOK || status >= 400 && status < 500 && status != http.StatusTooManyRequests):
		v.outcome = rejected
	case refused:
		v.outcome, v.reason = undecided, v.describe()+describeStatus(status)
	default:
		v.outcome, v.reason = undecided, "the answer has neither a token nor an error code"+describeStatus(status)
	}
	return v
}

// errorWords reads the platform's error code, message and request ID from an answer's members
// and headers. The platform's reads answer errors in the words of its token call.
func errorWords(tc platforms.TokenCall, members map[string]json.RawMessage, header http.Header) (code, message, requestID string) {
	code, message, requestID = text(members[tc.Code]), text(members[tc.Message]), header.Get(tc.RequestIDHeader)
	if tc.RequestID != "" {
		requestID = text(members[tc.RequestID])
	}
	return code, message, requestID
}

// describe renders the platform's code and message.
func (v verdict) describe() string {
	out := "code " + v.code
	if v.message != "" {
		out += ", " + v.message
	}
	return out
}

func describeStatus(status int) string {
	switch {
	case status >= 300 && status < 400:
		return " (HTTP " + strconv.Itoa(status) + ": a redirect, which the provider does not follow)"
	case status != http.StatusOK:
		return " (HTTP " + strconv.Itoa(status) + ")"
	}
	return ""
}

// text renders a JSON string or number as text; anything else, or nothing, as "".
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
