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
		if len(p.Secrets) == 0 {
			t.Errorf("%s: no secrets", p.AppType)
		}
		names := append(p.NonSecretNames(), p.SecretNames()...)
		if sorted := slices.Sorted(slices.Values(names)); len(slices.Compact(sorted)) != len(names) {
			t.Errorf("%s: a field is named twice in %v", p.AppType, names)
		}
		for _, f := range append([]Field{p.Identifier}, p.Fields...) {
			switch {
			case f.Name == "" || f.Label == "" || f.Description == "":
				t.Errorf("%s: %+v needs a name, a label and a description", p.AppType, f)
			case f.Example == "" || f.Format != nil && !f.Format.MatchString(f.Example):
				t.Errorf("%s.%s: the example %q does not pass the field's format", p.AppType, f.Name, f.Example)
			case (f.Format == nil) != (f.FormatHint == ""):
				t.Errorf("%s.%s: a format needs a hint, and a hint a format", p.AppType, f.Name)
			case f.UsualLength > 0 && len(f.Example) != f.UsualLength:
				t.Errorf("%s.%s: the example is not of the usual length", p.AppType, f.Name)
			}
		}
		for _, s := range p.Secrets {
			if s.Name == "" || s.Label == "" || s.Description == "" || !p.IsSecret(s.Name) {
				t.Errorf("%s: %+v needs a name, a label and a description", p.AppType, s)
			}
		}
		tc := p.Token
		if u, err := url.Parse(tc.Endpoint); err != nil || u.Scheme != "https" || tc.Path == "" || tc.Method == "" ||
			tc.AppIDField == "" || tc.SecretField == "" || tc.Token == "" || tc.Code == "" {
			t.Errorf("%s: incomplete token call %+v", p.AppType, tc)
		}
		for _, a := range []Answer{tc.UnknownApp, tc.WrongSecret, tc.Missing} {
			if a.Status == 0 || a.Code == "" || a.Code == tc.SuccessCode {
				t.Errorf("%s: a refusal %+v needs a status and a code that is not success's", p.AppType, a)
			}
		}
	}
	if _, err := For("teams"); err == nil {
		t.Error("an unknown app type was found")
	}
}
