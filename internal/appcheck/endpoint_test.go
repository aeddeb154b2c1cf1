package appcheck_test

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

func TestParseEndpoint(t *testing.T) {
	for _, ok := range []string{"https://qyapi.weixin.qq.com", "https://open.larksuite.com/", "http://127.0.0.1:8080/_platforms/lark",
		"http://127.3.2.1", "http://[::1]:80/x", "http://localhost:1", "http://LOCALHOST", "http://[::ffff:127.0.0.1]"} {
		if _, err := appcheck.ParseEndpoint(ok); err != nil {
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
		_, err := appcheck.ParseEndpoint(bad)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: got %v, want an error saying %q", bad, err, why)
		}
		if err != nil && strings.Contains(err.Error(), "u:p") {
			t.Errorf("%s: the error shows the credentials: %v", bad, err)
		}
	}
	if _, err := appcheck.New(appcheck.Config{Endpoints: map[platforms.AppType]string{platforms.Lark: "http://open.feishu.cn"}}); err == nil ||
		!strings.Contains(err.Error(), "Lark") {
		t.Errorf("New accepted a plain-http endpoint: %v", err)
	}
}

// The query is how WeCom's secret travels; a url.Error quotes it, WithoutQuery does not.
func TestWithoutQuery(t *testing.T) {
	err := &url.Error{Op: "Get", URL: "https://h/p?corpsecret=" + url.QueryEscape(secret), Err: io.ErrUnexpectedEOF}
	got := hwhttp.WithoutQuery(fmt.Errorf("wrapped: %w", err)).Error()
	if got != `Get "https://h/p?***": unexpected EOF` {
		t.Fatalf("got %q", got)
	}
	if plain := errors.New("plain"); !errors.Is(hwhttp.WithoutQuery(plain), plain) {
		t.Fatal("another error was changed")
	}
}
