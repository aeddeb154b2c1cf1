package simulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// What COC accepts in a POST or PUT body, and how it wraps its answers: the server's half of the
// contract. The wire types both sides exchange are internal/coc's.

// ProviderCode is COC's service code in every success envelope.
const ProviderCode = "049"

// DefaultPageLimit is the page size of a list call that sets no limit.
const DefaultPageLimit = 20

// Success wraps data in the success envelope.
func Success[T any](data T) coc.Envelope[T] {
	return coc.Envelope[T]{ProviderCode: ProviderCode, ErrorCode: coc.CodeSuccess, ErrorMsg: "success", Data: &data}
}

// Method selects the rules DecodeBindingRequest applies.
type Method int

const (
	// Create requires every field and every secret.
	Create Method = iota
	// Update requires every field; secrets are optional.
	Update
)

// DecodeBindingRequest parses and validates a POST or PUT body for platform p, as COC does. It returns
// field-level problems as FieldErrors (for a 400 COC.00040001) rather than as an error.
func DecodeBindingRequest(p platforms.Platform, m Method, data []byte) (coc.BindingRequest, []coc.FieldError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return coc.BindingRequest{}, []coc.FieldError{{Field: "body", Reason: "must be a JSON object"}}
	}
	req := coc.BindingRequest{Fields: map[string]string{}, Secrets: map[string]string{}}
	fields := p.NonSecretNames()
	var problems []coc.FieldError
	for name, v := range raw {
		secret := p.IsSecret(name)
		if !secret && !slices.Contains(fields, name) {
			problems = append(problems, coc.FieldError{Field: name, Reason: fmt.Sprintf("is not a field of a %s app", p.AppType)})
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			problems = append(problems, coc.FieldError{Field: name, Reason: "must be a string, got " + coc.JSONKind(v)})
			continue
		}
		if reason := fieldProblem(s, secret); reason != "" {
			problems = append(problems, coc.FieldError{Field: name, Reason: reason})
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
		required = append(required, p.SecretNames()...)
	}
	for _, name := range required {
		if _, ok := raw[name]; !ok {
			problems = append(problems, coc.FieldError{Field: name, Reason: "is required"})
		}
	}
	slices.SortFunc(problems, func(a, b coc.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return req, problems
}

// fieldProblem applies the rules the API enforces on every field; the provider checks the
// stricter per-platform formats before a request is ever sent.
func fieldProblem(s string, secret bool) string {
	switch {
	case s == "":
		return "must not be empty"
	case len(s) > coc.MaxFieldLength:
		return fmt.Sprintf("must be at most %d characters", coc.MaxFieldLength)
	case secret && strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "must not contain whitespace or control characters"
	}
	return ""
}
