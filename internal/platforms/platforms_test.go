package platforms

import (
	"net/url"
	"slices"
	"testing"
)

// Every description is complete and consistent: what the others derive from it must exist, and
// its examples must pass its own rules.
func TestDescriptionsAreComplete(t *testing.T) {
	seen := map[AppType]bool{}
	for _, p := range All() {
		if p.AppType == "" || p.Name == "" || p.Summary == "" || seen[p.AppType] {
			t.Errorf("%+v: needs a unique app type, a name and a summary", p.AppType)
		}
		seen[p.AppType] = true
		if got, err := For(p.AppType); err != nil || got.Name != p.Name {
			t.Errorf("For(%q) = %v, %v", p.AppType, got.Name, err)
		}
		if len(p.Secrets) == 0 || p.NotificationType == "" {
			t.Errorf("%s: needs secrets and a war room's notification type", p.AppType)
		}
		names := append(p.NonSecretNames(), p.SecretNames()...)
		if sorted := slices.Sorted(slices.Values(names)); len(slices.Compact(sorted)) != len(names) {
			t.Errorf("%s: a field is named twice in %v", p.AppType, names)
		}
		for _, f := range append([]Field{p.Identifier}, p.Fields...) {
			switch {
			case f.Name == "" || f.Label == "" || f.Description == "":
				t.Errorf("%s: %+v needs a name, a label and a description", p.AppType, f)
			case (f.Format == nil) != (f.FormatHint == ""):
				t.Errorf("%s.%s: a format needs a hint, and a hint a format", p.AppType, f.Name)
			case f.Examples[0] == f.Examples[1]:
				t.Errorf("%s.%s: needs two different examples, %q", p.AppType, f.Name, f.Examples)
			case f.SameAs != "" && (f.SameAs != p.Identifier.Name || f.Examples != p.Identifier.Examples):
				// Tests bind the examples: a field that must equal another must have its examples.
				t.Errorf("%s.%s: may only be the same as the identifier, with the identifier's examples", p.AppType, f.Name)
			}
			for _, example := range f.Examples {
				switch {
				case example == "" || f.Format != nil && !f.Format.MatchString(example):
					t.Errorf("%s.%s: the example %q does not pass the field's format", p.AppType, f.Name, example)
				case f.UsualLength > 0 && len(example) != f.UsualLength:
					t.Errorf("%s.%s: the example %q is not of the usual length", p.AppType, f.Name, example)
				}
			}
		}
		for _, s := range p.Secrets {
			if s.Name == "" || s.Label == "" || s.Description == "" || !p.IsSecret(s.Name) {
				t.Errorf("%s: %+v needs a name, a label and a description", p.AppType, s)
			}
			if example := s.ExampleSecret("tag"); s.SecretLength[0] > 0 && (len(example) < s.SecretLength[0] || len(example) > s.SecretLength[1]) {
				t.Errorf("%s.%s: the example secret %q is not %d to %d characters", p.AppType, s.Name, example, s.SecretLength[0], s.SecretLength[1])
			}
		}
		for _, f := range append([]Field{p.Identifier}, p.Fields...) {
			seen := map[string]bool{}
			for _, n := range []int{0, 1, 42, 999_999} {
				v := f.Numbered(n)
				if seen[v] || f.Format != nil && !f.Format.MatchString(v) || f.UsualLength > 0 && len(v) != f.UsualLength {
					t.Errorf("%s.%s: Numbered(%d) = %q is not a new value of the field's format", p.AppType, f.Name, n, v)
				}
				seen[v] = true
			}
		}
		tc := p.Token
		if u, err := url.Parse(tc.Endpoint); err != nil || u.Scheme != "https" || tc.Path == "" || tc.Method == "" ||
			tc.AppIDField == "" || tc.SecretField == "" || tc.Token == "" || tc.Code == "" {
			t.Errorf("%s: incomplete token call %+v", p.AppType, tc)
		}
		for _, a := range []Answer{tc.UnknownApp, tc.WrongSecret} {
			if a.Status == 0 || a.Code == "" || a.Code == tc.SuccessCode {
				t.Errorf("%s: a refusal %+v needs a status and a code that is not success's", p.AppType, a)
			}
		}
	}
	if _, err := For("teams"); err == nil {
		t.Error("an unknown app type was found")
	}
}
