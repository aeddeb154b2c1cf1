// Package validators holds the attribute validators the coc provider needs beyond
// terraform-plugin-framework-validators. Each reports at plan time, names the attribute through
// its path, and lets unknown values pass until they are known.
package validators

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cocops/terraform-provider-coc/internal/diagnostics"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Endpoint accepts an absolute http(s) URL without credentials, query or fragment, as the base URL
// of service ("COC", "IAM"); example is such a URL, for the error.
func Endpoint(service, example string) validator.String {
	return endpointValidator{service: service, example: example, parse: hwhttp.ParseEndpoint,
		description: "must be an absolute http(s) URL without credentials, query or fragment"}
}

// PlatformEndpoint accepts the base URL of a chat platform ("WeCom") that app secrets are sent to:
// https://, or http:// on a loopback address (hwhttp.ParseHTTPSEndpoint).
func PlatformEndpoint(platform, example string) validator.String {
	return endpointValidator{service: platform, example: example, parse: hwhttp.ParseHTTPSEndpoint,
		description: "must be an absolute https:// URL (http:// on a loopback address only) without credentials, query or fragment"}
}

type endpointValidator struct {
	service, example, description string
	parse                         func(string) (*url.URL, error)
}

func (v endpointValidator) Description(context.Context) string { return v.description }

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := v.parse(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.Append(diagnostics.InvalidEndpoint.ErrorAt(req.Path,
			fmt.Sprintf("Attribute %s: %s. Use an absolute URL such as %s.", req.Path, err, v.example), v.service))
	}
}

// LengthWarning warns, without failing, when a string's length is not the usual one: for
// identifiers whose format is a convention of the platform rather than a rule COC enforces.
func LengthWarning(length int, what string) validator.String {
	return lengthWarning{length: length, what: what}
}

type lengthWarning struct {
	length int
	what   string
}

func (v lengthWarning) Description(context.Context) string {
	return fmt.Sprintf("is usually %d characters long (%s)", v.length, v.what)
}

func (v lengthWarning) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v lengthWarning) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := len(req.ConfigValue.ValueString()); n != v.length {
		resp.Diagnostics.Append(diagnostics.UnusualIdentifierLength.WarningAt(req.Path,
			fmt.Sprintf("%q is %d characters long; %s are usually %d. Check that it was copied completely. "+
				"This is a warning only: COC decides whether the value is valid.", req.ConfigValue.ValueString(), n, v.what, v.length)))
	}
}

// Secret checks a secret's length and characters without ever repeating the value: the
// framework's own validators quote the value they reject, which for a secret would print it
// in the plan's error output.
func Secret(minLength, maxLength int) validator.String {
	return secretValidator{min: minLength, max: maxLength}
}

type secretValidator struct{ min, max int }

func (v secretValidator) Description(context.Context) string {
	if v.min == 0 {
		return fmt.Sprintf("must be at most %d printable ASCII characters, without spaces", v.max)
	}
	if v.min == v.max {
		return fmt.Sprintf("must be exactly %d printable ASCII characters, without spaces", v.min)
	}
	return fmt.Sprintf("must be %d to %d printable ASCII characters, without spaces", v.min, v.max)
}

func (v secretValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v secretValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	problem := ""
	switch {
	case len(s) < v.min || len(s) > v.max:
		problem = fmt.Sprintf("it has %d characters", len(s))
	default:
		for i := 0; i < len(s); i++ {
			if s[i] < 0x21 || s[i] > 0x7e {
				problem = fmt.Sprintf("character %d is a space, a control character or not ASCII", i+1)
				break
			}
		}
	}
	if problem != "" {
		resp.Diagnostics.Append(diagnostics.InvalidSecret.ErrorAt(req.Path,
			fmt.Sprintf("Attribute %s %s, but %s. (The value is not shown because it is secret.) "+
				"Check that it was copied completely and without surrounding whitespace.", req.Path, v.Description(ctx), problem)))
	}
}

// PositiveDuration accepts a Go duration string greater than zero. Values that do not parse are
// left to the validator that parses them; a zero or negative timeout would make the operation
// fail before it starts.
func PositiveDuration() validator.String { return positiveDuration{} }

type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string {
	return `must be a positive duration such as "30s", "10m" or "1h"`
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v positiveDuration) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err == nil && d <= 0 {
		resp.Diagnostics.Append(diagnostics.InvalidTimeout.ErrorAt(req.Path,
			fmt.Sprintf("Attribute %s %s, got %q: the operation would be given no time at all. "+
				"Remove the attribute to use the default.", req.Path, v.Description(ctx), req.ConfigValue.ValueString())))
	}
}
