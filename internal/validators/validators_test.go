package validators_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cocops/terraform-provider-coc/internal/validators"
)

func validate(v validator.String, value string) (errors, warnings string) {
	req := validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue(value)}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), req, &resp)
	var errs, warns []string
	for _, d := range resp.Diagnostics {
		text := d.Summary() + ": " + d.Detail()
		if d.Severity().String() == "Error" {
			errs = append(errs, text)
		} else {
			warns = append(warns, text)
		}
	}
	return strings.Join(errs, "\n"), strings.Join(warns, "\n")
}

// disguise changes every printable ASCII character of s into another one and leaves the rest:
// a validator that never shows the value gives the same verdict, in the same words, for both.
func disguise(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 0x21 && c <= 0x7e {
			b[i] = 0x21 + (c-0x21+47)%94
		}
	}
	return string(b)
}

func TestValidatorsLetNullAndUnknownPass(t *testing.T) {
	for _, v := range []validator.String{validators.Endpoint("COC", "https://coc.myhuaweicloud.com"), validators.LengthWarning(20, "x"), validators.Secret(1, 8), validators.PositiveDuration()} {
		for _, value := range []types.String{types.StringNull(), types.StringUnknown()} {
			var resp validator.StringResponse
			v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: value}, &resp)
			if len(resp.Diagnostics) != 0 {
				t.Errorf("%T on %s: %v", v, value, resp.Diagnostics)
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
		"https://coc.example.com?x=1":    false,
	} {
		if errs, _ := validate(validators.Endpoint("COC", "https://coc.myhuaweicloud.com"), value); (errs == "") != ok {
			t.Errorf("%q: errors %q, want ok=%v", value, errs, ok)
		}
	}
}

// App secrets go to a platform endpoint: over https://, or plain http:// to this machine only.
func TestPlatformEndpoint(t *testing.T) {
	v := validators.PlatformEndpoint("Lark", "https://open.feishu.cn")
	for value, want := range map[string]string{
		"https://open.larksuite.com":          "",
		"http://127.0.0.1:18080/_platforms/x": "",
		"http://[::1]:1":                      "",
		"http://localhost:1":                  "",
		"http://open.feishu.cn":               "Invalid Lark Endpoint: Attribute attr: endpoint \"http://open.feishu.cn\" must start with https://",
		"http://192.168.1.10":                 "loopback address only",
		"https://open.feishu.cn?x=1":          "must not contain credentials, a query or a fragment. Use an absolute URL such as https://open.feishu.cn",
	} {
		errs, _ := validate(v, value)
		if want == "" && errs != "" || !strings.Contains(errs, want) {
			t.Errorf("%q: got %q, want %q", value, errs, want)
		}
	}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringUnknown()}, &resp)
	if len(resp.Diagnostics) != 0 {
		t.Errorf("unknown: %v", resp.Diagnostics)
	}
}

func TestLengthWarningWarnsWithoutFailing(t *testing.T) {
	v := validators.LengthWarning(20, "Lark App IDs")
	if errs, warns := validate(v, "cli_a1b2c3d4e5f6a7b8"); errs+warns != "" {
		t.Fatalf("usual length: %q %q", errs, warns)
	}
	errs, warns := validate(v, "cli_short")
	if errs != "" || !strings.Contains(warns, "9 characters long; Lark App IDs are usually 20") {
		t.Fatalf("unusual length: errors %q, warnings %q", errs, warns)
	}
}

func TestSecret(t *testing.T) {
	cases := []struct {
		min, max int
		value    string
		want     string
	}{
		{1, 256, "fine-value", ""},
		{1, 256, "", "it has 0 characters"},
		{64, 64, strings.Repeat("x", 63), "exactly 64 printable ASCII characters, without spaces, but it has 63 characters"},
		{1, 256, "two words", "character 4 is a space"},
		{1, 256, "kеy", "character 2 is a space, a control character or not ASCII"},
		{0, 16, "", ""},
		{0, 16, "a\tb", "must be at most 16 printable ASCII characters"},
	}
	for _, tc := range cases {
		errs, _ := validate(validators.Secret(tc.min, tc.max), tc.value)
		if tc.want == "" && errs != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("Secret(%d, %d) on %q: got %q, want %q", tc.min, tc.max, tc.value, errs, tc.want)
		}
	}
}

func TestPositiveDuration(t *testing.T) {
	for value, want := range map[string]string{"30s": "", "1h30m": "", "0s": "positive duration", "-5m": `got "-5m"`, "soon": ""} {
		errs, _ := validate(validators.PositiveDuration(), value)
		if want == "" && errs != "" || !strings.Contains(errs, want) {
			t.Errorf("PositiveDuration on %q: got %q, want %q", value, errs, want)
		}
	}
}

func TestEndpointNeverShowsAPassword(t *testing.T) {
	for _, endpoint := range []string{"https://user:hunter22@coc.example.com", "https://user:hunter22@[::1", "http://u:hunter22@h/%zz", "https://:hunter22@x?q"} {
		errs, _ := validate(validators.Endpoint("COC", "https://coc.myhuaweicloud.com"), endpoint)
		if errs == "" || strings.Contains(errs, "hunter22") {
			t.Errorf("Endpoint on %q: %q", endpoint, errs)
		}
	}
}

// The secret validator never panics and never shows the value: its verdict and words depend only
// on the value's length and where its first unusual character is.
func FuzzSecret(f *testing.F) {
	for _, s := range []string{"", "secret", "two words", "tab\there", "kеy", strings.Repeat("s", 64), "\x00\xff", `<>"&\`} {
		f.Add(s, uint8(1), uint16(256))
	}
	f.Fuzz(func(t *testing.T, value string, minLength uint8, maxLength uint16) {
		v := validators.Secret(int(minLength), int(maxLength))
		errs, warnings := validate(v, value)
		disguisedErrs, disguisedWarnings := validate(v, disguise(value))
		if errs != disguisedErrs || warnings != disguisedWarnings {
			t.Fatalf("the verdict depends on the value's characters:\n%q\n%q", errs, disguisedErrs)
		}
	})
}

// The endpoint validator never panics, and never repeats the password of a URL that has one.
func FuzzEndpoint(f *testing.F) {
	for _, s := range []string{"https://coc.myhuaweicloud.com", "http://127.0.0.1:18080/", "coc.example.com", "https://u:pass@h", "https://u:pass@[::1", "ftp://x", "https://h?x#y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, endpoint string) {
		errs, _ := validate(validators.Endpoint("COC", "https://coc.myhuaweicloud.com"), endpoint)
		_, rest, ok := strings.Cut(endpoint, "//")
		if !ok || errs == "" {
			return
		}
		if end := strings.IndexAny(rest, "/?#"); end >= 0 {
			rest = rest[:end]
		}
		at := strings.LastIndex(rest, "@")
		if at < 0 {
			return
		}
		_, password, _ := strings.Cut(rest[:at], ":")
		// A password that also stands elsewhere in the URL is shown there, as host or path.
		if len(password) >= 4 && strings.Count(endpoint, password) == 1 && strings.Contains(errs, password) {
			t.Fatalf("the error for %q shows the password %q: %s", endpoint, password, errs)
		}
	})
}
