package hwhttp

import (
	"strings"
	"testing"
)

func TestParseHTTPSEndpoint(t *testing.T) {
	for _, ok := range []string{"https://qyapi.weixin.qq.com", "https://open.larksuite.com/", "http://127.0.0.1:8080/_platforms/lark",
		"http://127.3.2.1", "http://[::1]:80/x", "http://localhost:1", "http://LOCALHOST", "http://[::ffff:127.0.0.1]"} {
		if _, err := ParseHTTPSEndpoint(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for bad, why := range map[string]string{
		"http://open.feishu.cn":          "must start with https://",
		"http://10.0.0.1":                "must start with https://",
		"http://[::ffff:10.0.0.1]":       "must start with https://",
		"http://localhost.example.com":   "must start with https://",
		"ftp://127.0.0.1":                "must start with https://",
		"https://u:p@open.feishu.cn":     "must not contain credentials",
		"https://open.feishu.cn/?a=1":    "must not contain credentials, a query",
		"open.feishu.cn":                 "must start with https://",
		"https://":                       "has no host",
		"http://127.0.0.1.example.com:1": "must start with https://",
	} {
		_, err := ParseHTTPSEndpoint(bad)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: got %v, want an error saying %q", bad, err, why)
		}
		if err != nil && strings.Contains(err.Error(), "u:p") {
			t.Errorf("%s: the error shows the credentials: %v", bad, err)
		}
	}
	// A service endpoint may be plain http anywhere: the metadata service's is.
	if _, err := ParseEndpoint("http://169.254.169.254"); err != nil {
		t.Errorf("ParseEndpoint refused the metadata service: %v", err)
	}
}
