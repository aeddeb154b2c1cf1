package coc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Error codes of the contract (CONTRACT.md).
const (
	CodeSuccess         = "COC.00000000"
	CodeInvalidField    = "COC.00040001"
	CodeImmutableField  = "COC.00040002"
	CodeNotBound        = "COC.00040401"
	CodeNoSuchAPI       = "COC.00040400"
	CodeNotPublished    = "APIG.0101"
	CodeNoBackend       = "APIG.0103"
	CodeOrchestration   = "APIG.0106"
	CodeAlreadyBound    = "COC.00040901"
	CodeThrottled       = "APIG.0308"
	CodeBadSignature    = "APIG.0301"
	CodeStaleDate       = "APIG.0201"
	CodeInternal        = "COC.00050001"
	CodeDomainMismatch  = "APIG.0303"
	ProviderCode        = "049"
	StatusEnabled       = "enabled"
	MaxFieldLength      = 256
	DefaultPageLimit    = 20
	MaxPageLimit        = 100
	MobileAppsPath      = "/v1/mobile-apps"
	timestampFormatWire = "2006-01-02T15:04:05.000Z"
)

// SecurityTokenExpired is in the message of the 401 CodeBadSignature that refuses a temporary
// credential past its expiry. It is the one 401 worth a renewal and a retry: any other counts
// towards the gateway's lock-out of the access key.
const SecurityTokenExpired = "the security token has expired"

// Binding is a tenant's binding of one app as the API returns it. It never holds a secret.
type Binding struct {
	AppType AppType
	// Fields holds the identifier and the plain fields, keyed by wire name.
	Fields       map[string]string
	Status       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	KeyUpdatedAt time.Time
}

// Identifier returns the value of the platform's identifier field.
func (b Binding) Identifier() string {
	p, err := PlatformFor(b.AppType)
	if err != nil {
		return ""
	}
	return b.Fields[p.Identifier]
}

// bindingMetaKeys are the fields every platform's binding shares.
var bindingMetaKeys = []string{"app_type", "status", "created_at", "updated_at", "key_updated_at"}

// bindingTimestamps are the timestamps of a binding, in the order Binding holds them.
var bindingTimestamps = bindingMetaKeys[2:]

// FormatTimestamp renders a time as the API does: UTC, RFC 3339 with milliseconds.
func FormatTimestamp(t time.Time) string { return t.UTC().Format(timestampFormatWire) }

// MarshalJSON flattens the platform fields next to the shared ones.
func (b Binding) MarshalJSON() ([]byte, error) {
	out := make(map[string]string, len(b.Fields)+len(bindingMetaKeys))
	for k, v := range b.Fields {
		out[k] = v
	}
	out["app_type"] = string(b.AppType)
	out["status"] = b.Status
	out["created_at"] = FormatTimestamp(b.CreatedAt)
	out["updated_at"] = FormatTimestamp(b.UpdatedAt)
	out["key_updated_at"] = FormatTimestamp(b.KeyUpdatedAt)
	return json.Marshal(out)
}

// UnmarshalJSON accepts the flat form; platform fields are the string-valued keys of the
// binding's platform, anything else is ignored so that new server fields do not break old clients.
// Every read and every list page comes through here, so the object is decoded once.
func (b *Binding) UnmarshalJSON(data []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("binding: %w", err)
	}
	o := flatObject{values: raw}
	appType := AppType(o.str("app_type"))
	if o.err != nil {
		return o.err
	}
	p, err := PlatformFor(appType)
	if err != nil {
		return fmt.Errorf("binding: %w", err)
	}
	fields := make(map[string]string, 1+len(p.Fields))
	for _, name := range p.NonSecretFields() {
		if raw[name] != nil {
			fields[name] = o.str(name)
		}
	}
	decoded := Binding{
		AppType: appType, Fields: fields, Status: o.str("status"),
		CreatedAt: o.timestamp("created_at"), UpdatedAt: o.timestamp("updated_at"), KeyUpdatedAt: o.timestamp("key_updated_at"),
	}
	if o.err != nil {
		return o.err
	}
	*b = decoded
	return nil
}

// flatObject reads the string fields of a decoded binding, keeping the first problem.
type flatObject struct {
	values map[string]any
	err    error
}

// str returns a field's value; an absent or null field reads as "".
func (o *flatObject) str(name string) string {
	switch v := o.values[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		if o.err == nil {
			asJSON, _ := json.Marshal(v)
			o.err = fmt.Errorf("binding: field %q: expected a string, got %s", name, jsonKind(asJSON))
		}
		return ""
	}
}

// timestamp parses a field in the contract's format (UTC, RFC 3339 with milliseconds); an absent
// or null field is the zero time.
func (o *flatObject) timestamp(name string) time.Time {
	if o.values[name] == nil {
		return time.Time{}
	}
	raw := o.str(name)
	t, err := time.Parse(timestampFormatWire, raw)
	if (err != nil || FormatTimestamp(t) != raw) && o.err == nil {
		o.err = fmt.Errorf("binding: field %q: %q is not a time in the form %s", name, raw, timestampFormatWire)
	}
	return t.UTC()
}

// BindingList is the data of a list call.
type BindingList struct {
	Total int       `json:"total"`
	List  []Binding `json:"list"`
}

// BindingRequest is the body of POST and PUT.
type BindingRequest struct {
	// Fields holds the identifier and the plain fields, keyed by wire name.
	Fields map[string]string
	// Secrets holds the secrets to set. On PUT an omitted secret keeps the stored one.
	Secrets map[string]string
}

// MarshalJSON flattens fields and secrets into one object, as the contract specifies.
func (r BindingRequest) MarshalJSON() ([]byte, error) {
	out := make(map[string]string, len(r.Fields)+len(r.Secrets))
	for k, v := range r.Fields {
		out[k] = v
	}
	for k, v := range r.Secrets {
		out[k] = v
	}
	return json.Marshal(out)
}

// SecretValues lists the secret values a request carries, so errors and logs can be scrubbed.
func (r BindingRequest) SecretValues() []string {
	values := make([]string, 0, len(r.Secrets))
	for _, v := range r.Secrets {
		values = append(values, v)
	}
	return values
}

// Method selects the rules DecodeBindingRequest applies.
type Method int

const (
	// Create requires every field and every secret.
	Create Method = iota
	// Update requires every field; secrets are optional.
	Update
)

// DecodeBindingRequest parses and validates a POST or PUT body for platform p. It returns
// field-level problems as FieldErrors (for a 400 COC.00040001) rather than as an error.
func DecodeBindingRequest(p Platform, m Method, data []byte) (BindingRequest, []FieldError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return BindingRequest{}, []FieldError{{Field: "body", Reason: "must be a JSON object"}}
	}
	req := BindingRequest{Fields: map[string]string{}, Secrets: map[string]string{}}
	fields := p.NonSecretFields()
	var problems []FieldError
	for name, v := range raw {
		secret := p.IsSecret(name)
		if !secret && !slices.Contains(fields, name) {
			problems = append(problems, FieldError{Field: name, Reason: fmt.Sprintf("is not a field of a %s app", p.AppType)})
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			problems = append(problems, FieldError{Field: name, Reason: "must be a string, got " + jsonKind(v)})
			continue
		}
		if reason := fieldProblem(s, secret); reason != "" {
			problems = append(problems, FieldError{Field: name, Reason: reason})
			continue
		}
		if secret {
			req.Secrets[name] = s
		} else {
			req.Fields[name] = s
		}
	}
	required := fields
	if m == Create {
		required = append(required, p.Secrets...)
	}
	for _, name := range required {
		if _, ok := raw[name]; !ok {
			problems = append(problems, FieldError{Field: name, Reason: "is required"})
		}
	}
	slices.SortFunc(problems, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return req, problems
}

// fieldProblem applies the rules the API enforces on every field; the provider checks the
// stricter per-platform formats before a request is ever sent.
func fieldProblem(s string, secret bool) string {
	switch {
	case s == "":
		return "must not be empty"
	case len(s) > MaxFieldLength:
		return fmt.Sprintf("must be at most %d characters", MaxFieldLength)
	case secret && strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "must not contain whitespace or control characters"
	}
	return ""
}

func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// Envelope wraps every successful response.
type Envelope[T any] struct {
	ProviderCode string `json:"provider_code"`
	ErrorCode    string `json:"error_code"`
	ErrorMsg     string `json:"error_msg"`
	Data         *T     `json:"data"`
}

// Success wraps data in the success envelope.
func Success[T any](data T) Envelope[T] {
	return Envelope[T]{ProviderCode: ProviderCode, ErrorCode: CodeSuccess, ErrorMsg: "success", Data: &data}
}

// The API gateway's words for an API it does not publish: an unknown path, or a known path
// with a method it does not serve.
const (
	MessageNotPublished = "The API does not exist or has not been published in the environment."
	MessageNoSuchMethod = "The API does not exist."
)

// IsGatewayCode reports whether a code is the API gateway's own (APIG.*) rather than COC's.
func IsGatewayCode(code string) bool { return strings.HasPrefix(code, "APIG.") }

// ErrorBody is the body of every error response. The gateway's own errors carry the request id
// in the body too; COC's carry it only in X-Request-Id.
type ErrorBody struct {
	ErrorCode string       `json:"error_code"`
	ErrorMsg  string       `json:"error_msg"`
	RequestID string       `json:"request_id,omitempty"`
	Details   []FieldError `json:"details,omitempty"`
}

// FieldError names a request field and what is wrong with it.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}
