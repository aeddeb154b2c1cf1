package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func validate(v validator.String, value types.String) diag.Diagnostics {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: value}, resp)
	return resp.Diagnostics
}

func TestValidatorsLetNullAndUnknownPass(t *testing.T) {
	for _, v := range []validator.String{Endpoint(), LengthWarning(20, "x"), Secret(1, 8)} {
		for _, value := range []types.String{types.StringNull(), types.StringUnknown()} {
			if d := validate(v, value); len(d) != 0 {
				t.Errorf("%T on %s: %v", v, value, d)
			}
		}
	}
}

func TestEndpoint(t *testing.T) {
	for value, ok := range map[string]bool{
		"https://coc.myhuaweicloud.com":  true,
		"http://127.0.0.1:18080":         true,
		"https://coc.example.com/prefix": true,
		"coc.myhuaweicloud.com":          false,
		"ftp://coc.example.com":          false,
		"https://":                       false,
		"https://u:p@coc.example.com":    false,
		"https://coc.example.com?x=1":    false,
	} {
		d := validate(Endpoint(), types.StringValue(value))
		if d.HasError() == ok {
			t.Errorf("%q: errors %v, want ok=%v", value, d, ok)
		}
		if ok {
			continue
		}
		if withPath, named := d.Errors()[0].(diag.DiagnosticWithPath); !named || !withPath.Path().Equal(path.Root("attr")) {
			t.Errorf("%q: the error does not name the attribute", value)
		}
	}
}

func TestLengthWarningWarnsWithoutFailing(t *testing.T) {
	v := LengthWarning(20, "Lark App IDs")
	if d := validate(v, types.StringValue("cli_a1b2c3d4e5f6a7b8")); len(d) != 0 {
		t.Fatalf("usual length: %v", d)
	}
	d := validate(v, types.StringValue("cli_short"))
	if d.HasError() || d.WarningsCount() != 1 || !strings.Contains(d.Warnings()[0].Detail(), "9 characters long; Lark App IDs are usually 20") {
		t.Fatalf("unusual length: %v", d)
	}
}

func TestSecretNeverQuotesTheValue(t *testing.T) {
	cases := []struct {
		value, want string
	}{
		{"", "it has 0 characters"},
		{"seventeen-letters", "it has 17 characters"},
		{"two words", "character 4 is a space"},
		{"tab\there", "character 4 is a space"},
		{"nоn-ascii", "character 2"}, // Cyrillic о
		{"line\nbreak", "character 5"},
	}
	v := Secret(1, 16)
	for _, tc := range cases {
		d := validate(v, types.StringValue(tc.value))
		if !d.HasError() {
			t.Errorf("%q accepted", tc.value)
			continue
		}
		detail := d.Errors()[0].Detail()
		if !strings.Contains(detail, tc.want) || !strings.Contains(detail, "must be 1 to 16 printable ASCII characters") {
			t.Errorf("%q: detail %q lacks %q", tc.value, detail, tc.want)
		}
		if tc.value != "" && strings.Contains(detail, tc.value) {
			t.Errorf("%q: the detail quotes the secret: %q", tc.value, detail)
		}
	}
	if d := validate(v, types.StringValue("s3cr3t!~")); d.HasError() {
		t.Errorf("valid secret rejected: %v", d)
	}
	if d := validate(Secret(64, 64), types.StringValue(strings.Repeat("a", 63))); !d.HasError() || !strings.Contains(d.Errors()[0].Detail(), "exactly 64") {
		t.Errorf("exact length not enforced: %v", d)
	}
}
