package coc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Error codes of the contract (CONTRACT.md).
const (
	CodeSuccess         = "COC.00000000"
	CodeInvalidField    = "COC.00040001"
	CodeImmutableField  = "COC.00040002"
	CodeNotBound        = "COC.00040401"
	CodeNoSuchAPI       = "COC.00040400"
	CodeAlreadyBound    = "COC.00040901"
	CodeOtherAppBound   = "COC.00041201"
	CodeKeyReused       = "COC.00042201"
	CodeInternal        = "COC.00050001"
	StatusEnabled       = "enabled"
	MaxFieldLength      = 256
	MaxPageLimit        = 100
	MobileAppsPath      = "/v1/mobile-apps"
	timestampFormatWire = "2006-01-02T15:04:05.000Z"
)

// Headers of a create's idempotency (CONTRACT.md, "Acting on the binding one means").
const (
	// HeaderIdempotencyKey carries a POST's key, as the IETF HTTPAPI draft "The Idempotency-Key
	// HTTP Header Field" names it.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderIdempotentReplayed is "true" on COC's answer to a POST whose key made the binding
	// earlier: the answer is that earlier create's.
	HeaderIdempotentReplayed = "Idempotent-Replayed"
	// MinIdempotencyKeyLength and MaxIdempotencyKeyLength bound a key: long enough not to collide
	// by chance, short enough to store.
	MinIdempotencyKeyLength = 16
	MaxIdempotencyKeyLength = 64
	// IdempotencyKeyLifetime is how long after making a binding COC recognises the key of the
	// create that made it, as Stripe keeps its keys: long enough for the next run after a lost
	// answer, short enough that a binding declared twice by mistake later is not taken for one.
	IdempotencyKeyLifetime = 24 * time.Hour
)

// Binding is a tenant's binding of one app as the API returns it. It never holds a secret.
type Binding struct {
	AppType platforms.AppType
	// Fields holds the identifier and the plain fields, keyed by wire name.
	Fields       map[string]string
	Status       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	KeyUpdatedAt time.Time
	// IdempotencyKey is the key of the POST that made the binding, while nothing has changed it
	// since; empty for a binding made on the console or changed after it was made.
	IdempotencyKey string
}

// Identifier returns the value of the platform's identifier field.
func (b Binding) Identifier() string {
	p, err := platforms.For(b.AppType)
	if err != nil {
		return ""
	}
	return b.Fields[p.Identifier.Name]
}

// bindingMetaKeys are the fields every platform's binding shares.
var bindingMetaKeys = []string{"app_type", "status", "created_at", "updated_at", "key_updated_at"}

// bindingIdempotencyKey is the optional field that carries Binding.IdempotencyKey.
const bindingIdempotencyKey = "idempotency_key"

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
	if b.IdempotencyKey != "" {
		out[bindingIdempotencyKey] = b.IdempotencyKey
	}
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
	appType := platforms.AppType(o.str("app_type"))
	if o.err != nil {
		return o.err
	}
	p, err := platforms.For(appType)
	if err != nil {
		return fmt.Errorf("binding: %w", err)
	}
	fields := make(map[string]string, 1+len(p.FieldNames()))
	for _, name := range p.NonSecretNames() {
		if raw[name] != nil {
			fields[name] = o.str(name)
		}
	}
	decoded := Binding{
		AppType: appType, Fields: fields, Status: o.str("status"),
		CreatedAt: o.timestamp("created_at"), UpdatedAt: o.timestamp("updated_at"), KeyUpdatedAt: o.timestamp("key_updated_at"),
		IdempotencyKey: o.str(bindingIdempotencyKey),
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
			o.err = fmt.Errorf("binding: field %q: expected a string, got %s", name, JSONKind(asJSON))
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

// JSONKind names the kind of a JSON value ("a string", "an object", ...), for errors that must
// not quote the value itself.
func JSONKind(v json.RawMessage) string {
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
