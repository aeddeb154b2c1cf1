// Package platforms describes, once, each chat platform COC binds an app of (All lists them):
// the wire names of its binding, each field's words, console label, format rules and examples,
// and the token call that checks an app's credentials. The client, the provider, the credential
// check, the docs, the simulator and the demo all derive from these descriptions, so a platform
// is one more entry here, with its examples under examples/ (CONTRIBUTING.md, "Adding a
// platform").
package platforms

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// AppType names a chat platform COC can open war rooms in, as the API names it.
type AppType string

const (
	WeCom    AppType = "wecom"
	DingTalk AppType = "dingtalk"
	Lark     AppType = "lark"
)

// Platform is everything the project knows about one chat platform.
type Platform struct {
	AppType AppType
	// Name is how people call the platform: "WeCom".
	Name string
	// Summary opens the documentation of the platform's resource.
	Summary string
	// Identifier identifies the bound app; it cannot change.
	Identifier Field
	// Fields are the binding's plain fields; Secrets are never returned by the API.
	Fields  []Field
	Secrets []Field
	// EndpointHint, when the platform has more than one API endpoint, says which serves whom,
	// for a secret that the configured one rejects.
	EndpointHint string
	// NotificationType is the notification_type of a huaweicloud_coc_war_room that opens its
	// group on the platform.
	NotificationType string
	Token            TokenCall
}

// Field is one field of a binding. Its wire name is the resource attribute's name too.
type Field struct {
	Name string
	// Label is what COC's console calls the field ("Enterprise ID").
	Label string
	// Description says what the value is and where the platform's console shows it.
	Description string
	// Format, when set, is a pattern every value matches, and FormatHint what to say otherwise;
	// Printable requires printable ASCII without spaces instead (COC's rule for most IDs).
	Format     *regexp.Regexp
	FormatHint string
	Printable  bool
	// UsualLength, when set, is the platform's convention for the length, not COC's rule: other
	// lengths get a warning.
	UsualLength int
	// SecretLength bounds a secret's length; zero takes COC's 1 to 256.
	SecretLength [2]int
	// Examples are two different made-up values of the right form: the demo and the tests bind
	// the first, and the tests change a binding to the second.
	Examples [2]string
	// SameAs, when set, names the field whose value this one must have, as COC's console fills
	// it in: the field is optional and defaults to that value, and another value is a binding
	// whose war room would not open.
	SameAs string
}

var all = []Platform{wecom, dingtalk, lark}

// All returns every platform in a stable order.
func All() []Platform { return all }

// For looks a platform up by app type.
func For(t AppType) (Platform, error) {
	for _, p := range all {
		if p.AppType == t {
			return p, nil
		}
	}
	return Platform{}, fmt.Errorf("unknown app_type %q: expected one of %s", t, strings.Join(AppTypes(), ", "))
}

// MustFor is For for app types the code names itself.
func MustFor(t AppType) Platform {
	p, err := For(t)
	if err != nil {
		panic(err)
	}
	return p
}

// AppTypes lists the app types.
func AppTypes() []string {
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = string(p.AppType)
	}
	return names
}

// NonSecretNames returns the identifier's name followed by the plain fields'.
func (p Platform) NonSecretNames() []string {
	return append([]string{p.Identifier.Name}, p.FieldNames()...)
}

// FieldNames returns the plain fields' names.
func (p Platform) FieldNames() []string { return names(p.Fields) }

// SecretNames returns the secrets' names.
func (p Platform) SecretNames() []string { return names(p.Secrets) }

// IsSecret reports whether a wire field holds a secret.
func (p Platform) IsSecret(name string) bool { return slices.Contains(p.SecretNames(), name) }

// Field returns the identifier, a plain field or a secret by name.
func (p Platform) Field(name string) (Field, bool) {
	for _, f := range append(append([]Field{p.Identifier}, p.Fields...), p.Secrets...) {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Numbered is the n-th (0 to 999999) of as many made-up values of the field as a test, the soak
// or the benchmark needs: the first example with its last six characters replaced by n's
// digits. Every field's format takes digits there, as the descriptions' test checks.
func (f Field) Numbered(n int) string {
	digits := fmt.Sprintf("%06d", n)
	return f.Examples[0][:len(f.Examples[0])-len(digits)] + digits
}

// ExampleSecret is a made-up value of a secret that starts with tag, padded to the secret's
// shortest length.
func (f Field) ExampleSecret(tag string) string {
	if short := f.SecretLength[0] - len(tag); short > 0 {
		return tag + strings.Repeat("x", short)
	}
	return tag
}

func names(fields []Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}
